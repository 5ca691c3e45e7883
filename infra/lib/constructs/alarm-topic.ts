import { Validations } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';

/** An SNS topic for CloudWatch alarms: TLS only, and mailing `email` when given (the recipient confirms once). */
export function alarmTopic(scope: Construct, id: string, props: { topicName: string; displayName: string; email?: string }): sns.Topic {
  const topic = new sns.Topic(scope, id, { topicName: props.topicName, displayName: props.displayName, enforceSSL: true });
  Validations.of(topic).acknowledge({
    id: 'AwsSolutions-SNS2',
    reason: 'CloudWatch alarms and AWS Budgets cannot publish to a topic under the AWS managed SNS key; messages carry metric names, never data.',
  });
  if (props.email) topic.addSubscription(new subscriptions.EmailSubscription(props.email));
  return topic;
}
