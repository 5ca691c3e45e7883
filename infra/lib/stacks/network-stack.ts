import { Aws, CfnCondition, CfnOutput, Duration, Fn, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../config.ts';
import {
  APP_PORT,
  DATABASE_PORT,
  PRIVATE_SUBNET_CIDRS,
  PUBLIC_SUBNET_CIDRS,
  VPC_CIDR,
  isLab,
  logBucketName,
  resourceName,
} from '../defaults.ts';

/** Days an access log or flow log is kept in the log bucket. */
export const LOG_RETENTION_DAYS = 90;
/** Where in the log bucket the load balancer writes. */
export const LOAD_BALANCER_LOG_PREFIX = 'load-balancer';

export interface NetworkStackProps extends StackProps {
  readonly config: DeploymentConfig;
}

/**
 * The seed's network: 10.0.0.0/16 over two zones, a public and a private /24 per zone, one
 * internet gateway, 1 or 2 NAT gateways, and the three security groups (ALB → EC2 → RDS, no SSH).
 */
export class NetworkStack extends Stack {
  readonly vpc: ec2.IVpc;
  readonly albSecurityGroup: ec2.ISecurityGroup;
  readonly appSecurityGroup: ec2.ISecurityGroup;
  readonly databaseSecurityGroup: ec2.ISecurityGroup;
  readonly natGatewayIds: string[];
  /** Production only: the load balancer's access logs and the VPC's flow logs. */
  readonly logBucket?: s3.IBucket;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const { deploymentId, natMode, allowedIngressCidr } = props.config;
    const lab = isLab(props.config);

    const vpc = new ec2.Vpc(this, 'Vpc', {
      vpcName: resourceName(deploymentId, 'vpc'),
      ipAddresses: new SeedSubnetCidrs(),
      maxAzs: 2,
      natGateways: natMode === 'dual' ? 2 : 1,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
      ],
      // Security Hub's foundational standard flags a default group that allows traffic (EC2.2).
      restrictDefaultSecurityGroup: true,
    });
    // Package downloads (Amazon Linux repositories live in S3) and photos bypass the NAT gateway.
    vpc.addGatewayEndpoint('S3Endpoint', { service: ec2.GatewayVpcEndpointAwsService.S3 });
    this.natGatewayIds = vpc.publicSubnets.flatMap((subnet) => {
      const nat = subnet.node.tryFindChild('NATGateway');
      return nat instanceof ec2.CfnNatGateway ? [nat.attrNatGatewayId] : [];
    });

    if (lab) {
      Validations.of(vpc).acknowledge({
        id: 'AwsSolutions-VPC7',
        reason: 'environment=lab keeps no flow logs: per-team log storage would outlive the lab teardown; production writes them.',
      });
    } else {
      const logBucket = new s3.Bucket(this, 'LogBucket', {
        bucketName: logBucketName(deploymentId),
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        // Load balancer access logs accept SSE-S3 only.
        encryption: s3.BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        lifecycleRules: [{ id: 'expire-logs', expiration: Duration.days(LOG_RETENTION_DAYS) }],
        // Audit logs outlive the stacks; scripts/teardown empties and deletes the bucket.
        removalPolicy: RemovalPolicy.RETAIN,
      });
      Validations.of(logBucket).acknowledge({
        id: 'AwsSolutions-S1',
        reason: 'This is the log bucket: logging its own access would need yet another bucket; CloudTrail records its management events.',
      });
      logBucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'LoadBalancerAccessLogs',
          actions: ['s3:PutObject'],
          principals: loadBalancerLogPrincipals(this),
          resources: [logBucket.arnForObjects(`${LOAD_BALANCER_LOG_PREFIX}/AWSLogs/${Aws.ACCOUNT_ID}/*`)],
        }),
      );
      // With @aws-cdk/aws-s3:createDefaultLoggingPolicy (cdk.json) the flow log's delivery
      // statements are in the bucket policy, so a later policy update keeps them.
      vpc.addFlowLog('FlowLogs', {
        destination: ec2.FlowLogDestination.toS3(logBucket, 'vpc-flow-logs/'),
        trafficType: ec2.FlowLogTrafficType.ALL,
      });
      logBucket.policy!.applyRemovalPolicy(RemovalPolicy.RETAIN);
      this.logBucket = logBucket;
    }
    this.vpc = vpc;

    const alb = new ec2.SecurityGroup(this, 'AlbSecurityGroup', {
      vpc,
      securityGroupName: resourceName(deploymentId, 'alb-sg'),
      description: 'hrapp load balancer: HTTP(S) in from the allowed CIDR, out to the app only',
      allowAllOutbound: false,
    });
    const app = new ec2.SecurityGroup(this, 'AppSecurityGroup', {
      vpc,
      securityGroupName: resourceName(deploymentId, 'ec2-sg'),
      description: 'hrapp instances: app port from the load balancer only',
      allowAllOutbound: false,
    });
    const database = new ec2.SecurityGroup(this, 'DatabaseSecurityGroup', {
      vpc,
      securityGroupName: resourceName(deploymentId, 'rds-sg'),
      description: 'hrapp database: PostgreSQL from the app tier only',
      allowAllOutbound: false,
    });

    const clients = ec2.Peer.ipv4(allowedIngressCidr);
    alb.addIngressRule(clients, ec2.Port.tcp(80), 'HTTP from the allowed CIDR');
    alb.addIngressRule(clients, ec2.Port.tcp(443), 'HTTPS from the allowed CIDR (for future TLS)');
    alb.addEgressRule(app, ec2.Port.tcp(APP_PORT), 'to the app instances');
    if (allowedIngressCidr === '0.0.0.0/0') {
      Validations.of(alb).acknowledge({
        id: 'AwsSolutions-EC23',
        reason: 'The load balancer is the public entry point of the web app; allowed_ingress_cidr narrows it.',
      });
    }

    app.addIngressRule(alb, ec2.Port.tcp(APP_PORT), 'from the load balancer');
    app.addEgressRule(database, ec2.Port.tcp(DATABASE_PORT), 'to the database');
    // Amazon Linux's package repositories are served over HTTPS too: no port 80.
    app.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS APIs (S3, Secrets Manager, SSM, Logs) and package repositories');

    database.addIngressRule(app, ec2.Port.tcp(DATABASE_PORT), 'from the app tier');

    this.albSecurityGroup = alb;
    this.appSecurityGroup = app;
    this.databaseSecurityGroup = database;

    new CfnOutput(this, 'VpcId', { value: vpc.vpcId, description: 'the team VPC' });
    new CfnOutput(this, 'AvailabilityZones', { value: Fn.join(',', vpc.availabilityZones) });
    new CfnOutput(this, 'PublicSubnetIds', { value: Fn.join(',', vpc.publicSubnets.map((subnet) => subnet.subnetId)) });
    new CfnOutput(this, 'PrivateSubnetIds', { value: Fn.join(',', vpc.privateSubnets.map((subnet) => subnet.subnetId)) });
    new CfnOutput(this, 'AlbSecurityGroupId', { value: alb.securityGroupId });
    new CfnOutput(this, 'AppSecurityGroupId', { value: app.securityGroupId });
    new CfnOutput(this, 'DatabaseSecurityGroupId', { value: database.securityGroupId });
  }
}

/**
 * Who delivers load balancer access logs: in regions opened before August 2022, the region's ELB
 * account (which CDK's table knows); in newer ones, the log delivery service. The service
 * principal is always granted, and the account is chosen by one condition per region that has
 * one, so the template stays region-agnostic and a region missing from the table still works.
 */
function loadBalancerLogPrincipals(stack: Stack): iam.IPrincipal[] {
  const accounts = RegionInfo.regions.flatMap((region) => (region.elbv2Account ? [{ name: region.name, account: region.elbv2Account }] : []));
  const inRegion = accounts.map(
    ({ name }) => new CfnCondition(stack, `ElbLogAccountIn${name.replace(/-/g, '')}`, { expression: Fn.conditionEquals(Aws.REGION, name) }),
  );
  const hasAccount = new CfnCondition(stack, 'ElbLogAccountKnown', { expression: anyOf(inRegion) });
  const account = Fn.join('', accounts.map(({ account: id }, index) => Fn.conditionIf(inRegion[index].logicalId, id, '').toString()));
  return [
    new iam.ArnPrincipal(Fn.conditionIf(hasAccount.logicalId, `arn:${Aws.PARTITION}:iam::${account}:root`, Aws.NO_VALUE).toString()),
    new iam.ServicePrincipal('logdelivery.elasticloadbalancing.amazonaws.com'),
  ];
}

/** `Fn::Or` of any number of conditions (it takes 2 to 10). */
function anyOf(conditions: CfnCondition[]): ReturnType<typeof Fn.conditionOr> {
  if (conditions.length <= 10) return Fn.conditionOr(...conditions);
  return Fn.conditionOr(Fn.conditionOr(...conditions.slice(0, 9)), anyOf(conditions.slice(9)));
}

/** Places the subnets at the seed's fixed CIDRs instead of CDK's sequential allocation. */
class SeedSubnetCidrs implements ec2.IIpAddresses {
  allocateVpcCidr(): ec2.VpcIpamOptions {
    return { cidrBlock: VPC_CIDR };
  }

  allocateSubnetsCidr(input: ec2.AllocateCidrRequest): ec2.SubnetIpamOptions {
    const next = { [ec2.SubnetType.PUBLIC]: 0, [ec2.SubnetType.PRIVATE_WITH_EGRESS]: 0 } as Record<ec2.SubnetType, number>;
    const pools = { [ec2.SubnetType.PUBLIC]: PUBLIC_SUBNET_CIDRS, [ec2.SubnetType.PRIVATE_WITH_EGRESS]: PRIVATE_SUBNET_CIDRS } as Record<
      ec2.SubnetType,
      string[]
    >;
    return {
      allocatedSubnets: input.requestedSubnets.map((subnet) => {
        const type = subnet.configuration.subnetType;
        const cidr = pools[type]?.[next[type]++];
        if (cidr === undefined) {
          throw new Error(`no seed CIDR left for a ${type} subnet in ${subnet.availabilityZone}`);
        }
        return { cidr };
      }),
    };
  }
}
