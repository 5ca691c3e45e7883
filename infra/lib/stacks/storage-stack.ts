import { Aws, CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../config.ts';
import { instanceRoleName, isLab, statefulRemovalPolicy, uploadsBucketName, uploadsPrefix } from '../defaults.ts';

export interface StorageStackProps extends StackProps {
  readonly config: DeploymentConfig;
}

/** Object actions the app performs on profile photos. */
export const UPLOAD_OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'];

/** The private, versioned, SSE-S3 bucket of profile photos: `hrapp-{id}-uploads-{account}`. */
export class StorageStack extends Stack {
  readonly bucket: s3.IBucket;

  constructor(scope: Construct, id: string, props: StorageStackProps) {
    super(scope, id, props);
    const { config } = props;
    const lab = isLab(config);

    const bucket = new s3.Bucket(this, 'UploadsBucket', {
      bucketName: uploadsBucketName(config.deploymentId),
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        { id: 'expire-replaced-photos', noncurrentVersionExpiration: Duration.days(30) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy: statefulRemovalPolicy(config),
      // Deleting a lab stack empties the bucket, every version included.
      autoDeleteObjects: lab,
    });

    // The instance role is named, not referenced: the compute stack that creates it deploys
    // later, and a condition (unlike a principal) may name a role that does not exist yet.
    const instanceRoleArn = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${instanceRoleName(config.deploymentId)}`;
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'UploadsForTheInstanceRoleOnly',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: UPLOAD_OBJECT_ACTIONS,
        resources: [bucket.arnForObjects(`${uploadsPrefix(config.deploymentId)}*`)],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': instanceRoleArn } },
      }),
    );

    // The policy lives as long as the bucket: a retained bucket without it would admit any role.
    bucket.policy!.applyRemovalPolicy(statefulRemovalPolicy(config));
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'Server access logs are optional in the lab design; a log bucket per team would outlive the lab teardown.',
    });
    this.bucket = bucket;

    new CfnOutput(this, 'BucketName', { value: bucket.bucketName, description: 'profile photos, under uploads/{deployment_id}/' });
    new CfnOutput(this, 'BucketArn', { value: bucket.bucketArn });
  }
}
