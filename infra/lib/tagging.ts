import { Aspects, CfnResource, type IAspect, TagManager, Tags } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Taggable CloudFormation types that CDK's own custom-resource providers declare as raw
 * resources, out of reach of `Tags.of()`.
 */
const RAW_TAGGABLE_TYPES = new Set(['AWS::IAM::Role', 'AWS::Lambda::Function']);

/** Tags every resource under `scope` (and the stack itself) with `tags`. */
export function tagEverything(scope: IConstruct, tags: Record<string, string>): void {
  for (const [key, value] of Object.entries(tags)) Tags.of(scope).add(key, value);
  Aspects.of(scope).add(new TagRawResources(tags));
}

class TagRawResources implements IAspect {
  constructor(private readonly tags: Record<string, string>) {}

  visit(node: IConstruct): void {
    if (node instanceof CfnResource && !TagManager.isTaggable(node) && RAW_TAGGABLE_TYPES.has(node.cfnResourceType)) {
      node.addPropertyOverride(
        'Tags',
        Object.entries(this.tags).map(([Key, Value]) => ({ Key, Value })),
      );
    }
  }
}
