import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/** Requests per source IP in any 5 minutes to the sign-in paths before the firewall blocks it. */
export const SIGN_IN_RATE_LIMIT = 100;
export const SIGN_IN_PATHS = ['/login', '/register'];

/**
 * Rules of AWSManagedRulesCommonRuleSet that only count: its 8 KB body limit would block every
 * photo upload (the app enforces its own size limits, 413 with a JSON error).
 */
export const COUNTED_COMMON_RULES = ['SizeRestrictions_BODY'];

export interface WebFirewallProps {
  readonly name: string;
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
}

/**
 * An AWS WAF web ACL on the load balancer: AWS's common and known-bad-inputs rule groups, and
 * a per-IP rate limit on sign-up and sign-in, the compensating control for having no MFA.
 */
export class WebFirewall extends Construct {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: WebFirewallProps) {
    super(scope, id);
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    const managed = (priority: number, name: string, counted: string[] = []): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ruleActionOverrides: counted.length ? counted.map((rule) => ({ name: rule, actionToUse: { count: {} } })) : undefined,
        },
      },
      visibilityConfig: visibility(name),
    });
    const signInPath = (path: string): wafv2.CfnWebACL.StatementProperty => ({
      byteMatchStatement: {
        fieldToMatch: { uriPath: {} },
        positionalConstraint: 'EXACTLY',
        searchString: path,
        textTransformations: [{ priority: 0, type: 'NONE' }],
      },
    });

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: props.name,
      description: 'hrapp: AWS managed common and known-bad-inputs rules, a rate limit on sign-in',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(props.name),
      rules: [
        {
          name: 'SignInRateLimit',
          priority: 0,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: SIGN_IN_RATE_LIMIT,
              evaluationWindowSec: 300,
              aggregateKeyType: 'IP',
              scopeDownStatement: { orStatement: { statements: SIGN_IN_PATHS.map(signInPath) } },
            },
          },
          visibilityConfig: visibility('SignInRateLimit'),
        },
        managed(1, 'AWSManagedRulesCommonRuleSet', COUNTED_COMMON_RULES),
        managed(2, 'AWSManagedRulesKnownBadInputsRuleSet'),
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.loadBalancer.loadBalancerArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}
