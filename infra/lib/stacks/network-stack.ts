import { CfnOutput, Fn, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../config.ts';
import {
  APP_PORT,
  DATABASE_PORT,
  PRIVATE_SUBNET_CIDRS,
  PUBLIC_SUBNET_CIDRS,
  VPC_CIDR,
  resourceName,
} from '../defaults.ts';

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

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const { deploymentId, natMode, allowedIngressCidr } = props.config;

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
    Validations.of(vpc).acknowledge({
      id: 'AwsSolutions-VPC7',
      reason: 'Flow logs are optional in the lab design; per-team log ingestion would add cost to every training copy.',
    });
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
    app.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS APIs (S3, Secrets Manager, SSM, Logs)');
    app.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80), 'package repositories');

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
