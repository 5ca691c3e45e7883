import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { only, resourcesOf, synth, type Resource } from './support.ts';

// Validations 1 and 2 of the seed: VPC layout, routing, NAT count, security group flow.
const lab = synth({ deployment_id: 'netlab' });
const dual = synth({ deployment_id: 'netdual', nat_mode: 'dual', allowed_ingress_cidr: '203.0.113.0/24' });

const logicalIdOf = (ref: unknown) => (ref as { Ref?: string; 'Fn::GetAtt'?: [string, string] }).Ref ?? (ref as any)['Fn::GetAtt']?.[0];

describe('network stack', () => {
  it('has one DNS-enabled 10.0.0.0/16 VPC named after the deployment', () => {
    lab.network.resourceCountIs('AWS::EC2::VPC', 1);
    lab.network.hasResourceProperties('AWS::EC2::VPC', {
      CidrBlock: '10.0.0.0/16',
      EnableDnsHostnames: true,
      EnableDnsSupport: true,
      Tags: Match.arrayWith([{ Key: 'Name', Value: 'hrapp-netlab-vpc' }]),
    });
  });

  it("places the seed's four subnets across exactly two zones", () => {
    const subnets = resourcesOf(lab.network, 'AWS::EC2::Subnet').map(([, subnet]) => subnet.Properties!);
    assert.deepEqual(subnets.map((subnet) => subnet.CidrBlock).sort(), ['10.0.1.0/24', '10.0.11.0/24', '10.0.12.0/24', '10.0.2.0/24']);
    const zoneOf = (cidr: string) => JSON.stringify(subnets.find((subnet) => subnet.CidrBlock === cidr)!.AvailabilityZone);
    assert.equal(new Set(subnets.map((subnet) => JSON.stringify(subnet.AvailabilityZone))).size, 2);
    assert.equal(zoneOf('10.0.1.0/24'), zoneOf('10.0.11.0/24'));
    assert.equal(zoneOf('10.0.2.0/24'), zoneOf('10.0.12.0/24'));
    assert.notEqual(zoneOf('10.0.1.0/24'), zoneOf('10.0.2.0/24'));
    for (const subnet of subnets) assert.equal(subnet.MapPublicIpOnLaunch, false, `${subnet.CidrBlock} must not hand out public IPs`);
  });

  it('routes public subnets to the internet gateway and private ones to a NAT gateway', () => {
    lab.network.resourceCountIs('AWS::EC2::InternetGateway', 1);
    lab.network.resourceCountIs('AWS::EC2::VPCGatewayAttachment', 1);
    const subnetCidr = Object.fromEntries(resourcesOf(lab.network, 'AWS::EC2::Subnet').map(([id, subnet]) => [id, subnet.Properties!.CidrBlock]));
    const tableCidr = Object.fromEntries(
      resourcesOf(lab.network, 'AWS::EC2::SubnetRouteTableAssociation').map(([, association]) => [
        logicalIdOf(association.Properties!.RouteTableId),
        subnetCidr[logicalIdOf(association.Properties!.SubnetId)],
      ]),
    );
    const defaultRoutes = resourcesOf(lab.network, 'AWS::EC2::Route').filter(([, route]) => route.Properties!.DestinationCidrBlock === '0.0.0.0/0');
    assert.equal(defaultRoutes.length, 4);
    for (const [, route] of defaultRoutes) {
      const cidr = tableCidr[logicalIdOf(route.Properties!.RouteTableId)];
      if (cidr === '10.0.1.0/24' || cidr === '10.0.2.0/24') {
        assert.ok(route.Properties!.GatewayId, `${cidr} routes to the internet gateway`);
      } else {
        assert.ok(route.Properties!.NatGatewayId, `${cidr} routes through NAT`);
      }
    }
  });

  it('has exactly one NAT gateway in single mode, in a public subnet, serving both private subnets', () => {
    const [natId, nat] = only(lab.network, 'AWS::EC2::NatGateway');
    lab.network.resourceCountIs('AWS::EC2::EIP', 1);
    const publicSubnetIds = resourcesOf(lab.network, 'AWS::EC2::Subnet')
      .filter(([, subnet]) => ['10.0.1.0/24', '10.0.2.0/24'].includes(subnet.Properties!.CidrBlock))
      .map(([id]) => id);
    assert.ok(publicSubnetIds.includes(logicalIdOf(nat.Properties!.SubnetId)));
    const natRoutes = resourcesOf(lab.network, 'AWS::EC2::Route').filter(([, route]) => route.Properties!.NatGatewayId);
    assert.equal(natRoutes.length, 2);
    for (const [, route] of natRoutes) assert.equal(logicalIdOf(route.Properties!.NatGatewayId), natId);
  });

  it('has one NAT gateway per zone in dual mode, each private subnet using its own', () => {
    dual.network.resourceCountIs('AWS::EC2::NatGateway', 2);
    dual.network.resourceCountIs('AWS::EC2::EIP', 2);
    const natRoutes = resourcesOf(dual.network, 'AWS::EC2::Route').filter(([, route]) => route.Properties!.NatGatewayId);
    assert.equal(new Set(natRoutes.map(([, route]) => logicalIdOf(route.Properties!.NatGatewayId))).size, 2);
  });

  it('exports the VPC id as VpcId', () => {
    lab.network.hasOutput('VpcId', { Value: { Ref: Match.stringLikeRegexp('^Vpc') } });
  });
});

/** Every rule of every security group, as `direction proto from-to peer`, peers by group name. */
function rules(template: typeof lab.network): Record<string, string[]> {
  const groups = resourcesOf(template, 'AWS::EC2::SecurityGroup');
  const nameOf = Object.fromEntries(groups.map(([id, group]) => [id, group.Properties!.GroupName as string]));
  const peer = (rule: Record<string, any>) =>
    rule.CidrIp ?? (rule.SourceSecurityGroupId ? nameOf[logicalIdOf(rule.SourceSecurityGroupId)] : nameOf[logicalIdOf(rule.DestinationSecurityGroupId)]);
  const text = (direction: string, rule: Record<string, any>) => `${direction} ${rule.IpProtocol} ${rule.FromPort}-${rule.ToPort} ${peer(rule)}`;
  const result: Record<string, string[]> = Object.fromEntries(groups.map(([, group]) => [group.Properties!.GroupName, [] as string[]]));
  for (const [, group] of groups) {
    const name = group.Properties!.GroupName as string;
    for (const rule of group.Properties!.SecurityGroupIngress ?? []) result[name].push(text('in', rule));
    for (const rule of group.Properties!.SecurityGroupEgress ?? []) result[name].push(text('out', rule));
  }
  const standalone = (type: string, direction: string, key: string) =>
    resourcesOf(template, type).forEach(([, rule]: [string, Resource]) => result[nameOf[logicalIdOf(rule.Properties![key])]].push(text(direction, rule.Properties!)));
  standalone('AWS::EC2::SecurityGroupIngress', 'in', 'GroupId');
  standalone('AWS::EC2::SecurityGroupEgress', 'out', 'GroupId');
  for (const list of Object.values(result)) list.sort();
  return result;
}

describe('security groups', () => {
  it("carry exactly the seed's rules: ALB → EC2 → RDS and nothing else (no port 80 out: repositories are HTTPS)", () => {
    assert.deepEqual(rules(lab.network), {
      'hrapp-netlab-alb-sg': ['in tcp 443-443 0.0.0.0/0', 'in tcp 80-80 0.0.0.0/0', 'out tcp 5000-5000 hrapp-netlab-ec2-sg'],
      'hrapp-netlab-ec2-sg': ['in tcp 5000-5000 hrapp-netlab-alb-sg', 'out tcp 443-443 0.0.0.0/0', 'out tcp 5432-5432 hrapp-netlab-rds-sg'],
      // CDK's placeholder egress rule (ICMP 252-86 to 255.255.255.255/32) matches no traffic.
      'hrapp-netlab-rds-sg': ['in tcp 5432-5432 hrapp-netlab-ec2-sg', 'out icmp 252-86 255.255.255.255/32'],
    });
  });

  it('admit clients from allowed_ingress_cidr only', () => {
    const albRules = rules(dual.network)['hrapp-netdual-alb-sg'];
    assert.deepEqual(albRules.filter((rule) => rule.startsWith('in')), ['in tcp 443-443 203.0.113.0/24', 'in tcp 80-80 203.0.113.0/24']);
  });

  it('never open SSH (22) or all ports, in any stack', () => {
    for (const synthesized of [lab, dual]) {
      for (const template of [synthesized.network, synthesized.data, synthesized.secrets, synthesized.compute]) {
        for (const list of Object.values(rules(template))) {
          for (const rule of list) {
            const [, protocol, range] = rule.split(' ');
            const [from, to] = range.split('-').map(Number);
            assert.ok(protocol !== '-1', `all-traffic rule: ${rule}`);
            assert.ok(!(from <= 22 && 22 <= to), `SSH reachable: ${rule}`);
          }
        }
        template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', { FromPort: 22 }, 0);
      }
    }
  });

  it('are the only security groups: the app, the rotation and the load balancer reuse them', () => {
    lab.network.resourceCountIs('AWS::EC2::SecurityGroup', 3);
    for (const template of [lab.storage, lab.data, lab.secrets, lab.compute]) {
      template.resourceCountIs('AWS::EC2::SecurityGroup', 0);
      template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
      template.resourceCountIs('AWS::EC2::SecurityGroupEgress', 0);
    }
  });
});
