import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/**
 * Requests per source IP in any 5 minutes to the sign-in paths before the firewall blocks it: a
 * flood guard, far above what a busy office sends from one address. Guessing is the app's to
 * stop: it throttles failed sign-ins per account, and per address only for browsers it does not
 * know (a device cookie, set on a successful sign-in, spares a colleague behind the same NAT).
 * A limit of 100 would block a whole office signing in at 9:00 behind one address, the very
 * lockout the device cookies exist to prevent.
 */
export const SIGN_IN_RATE_LIMIT = 2000;
/** Where a password or a one-time token is sent without a session. */
export const SIGN_IN_PATHS = ['/login', '/register', '/password-reset'];

/**
 * Rules of AWSManagedRulesCommonRuleSet that only count, everywhere: its 8 KB body limit would
 * block every photo upload (the app enforces its own size limits, 413 with a JSON error).
 */
export const COUNTED_COMMON_RULES = ['SizeRestrictions_BODY'];

/**
 * The managed rules that inspect the body, by group. A photo's bytes or a CSV file can look like
 * anything to them, and AWS's patterns are not public, so on the upload routes they only count.
 */
export const BODY_RULES: Record<string, string[]> = {
  AWSManagedRulesCommonRuleSet: ['SizeRestrictions_BODY', 'EC2MetaDataSSRF_BODY', 'GenericLFI_BODY', 'GenericRFI_BODY', 'CrossSiteScripting_BODY'],
  AWSManagedRulesKnownBadInputsRuleSet: ['JavaDeserializationRCE_BODY', 'Log4JRCE_BODY'],
};

/** The routes that take files: photo uploads (POST, PUT, PATCH under /employees) and the CSV import (POST /employees/import). */
export const UPLOAD_METHODS = ['POST', 'PUT', 'PATCH'];
export const UPLOAD_PATH_PREFIX = '/employees';

export interface WebFirewallProps {
  readonly name: string;
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
}

/**
 * An AWS WAF web ACL on the load balancer: AWS's common and known-bad-inputs rule groups, and
 * a per-IP flood guard on sign-up, sign-in and password reset (SIGN_IN_RATE_LIMIT).
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
    const matching = (fieldToMatch: wafv2.CfnWebACL.FieldToMatchProperty, positionalConstraint: string, searchString: string): wafv2.CfnWebACL.StatementProperty => ({
      byteMatchStatement: { fieldToMatch, positionalConstraint, searchString, textTransformations: [{ priority: 0, type: 'NONE' }] },
    });
    const uploads: wafv2.CfnWebACL.StatementProperty = {
      andStatement: {
        statements: [
          { orStatement: { statements: UPLOAD_METHODS.map((method) => matching({ method: {} }, 'EXACTLY', method)) } },
          matching({ uriPath: {} }, 'STARTS_WITH', UPLOAD_PATH_PREFIX),
        ],
      },
    };
    // Each managed group runs twice: whole everywhere but the upload routes, and there with its
    // body rules counting only.
    const managed = (priority: number, name: string, onUploads: boolean): wafv2.CfnWebACL.RuleProperty => {
      const counted = [...new Set([...(name === 'AWSManagedRulesCommonRuleSet' ? COUNTED_COMMON_RULES : []), ...(onUploads ? BODY_RULES[name] : [])])];
      const ruleName = onUploads ? `${name}-Uploads` : name;
      return {
        name: ruleName,
        priority,
        overrideAction: { none: {} },
        statement: {
          managedRuleGroupStatement: {
            vendorName: 'AWS',
            name,
            ruleActionOverrides: counted.length ? counted.map((rule) => ({ name: rule, actionToUse: { count: {} } })) : undefined,
            scopeDownStatement: onUploads ? uploads : { notStatement: { statement: uploads } },
          },
        },
        visibilityConfig: visibility(ruleName),
      };
    };
    const signInPath = (path: string) => matching({ uriPath: {} }, 'EXACTLY', path);

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: props.name,
      description: 'hrapp: AWS managed common and known-bad-inputs rules, body rules counting on uploads, a flood guard on sign-in',
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
        managed(1, 'AWSManagedRulesCommonRuleSet', false),
        managed(2, 'AWSManagedRulesCommonRuleSet', true),
        managed(3, 'AWSManagedRulesKnownBadInputsRuleSet', false),
        managed(4, 'AWSManagedRulesKnownBadInputsRuleSet', true),
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.loadBalancer.loadBalancerArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}
