# shellcheck shell=bash
# Sourced by the harnesses that give the app a database secret: exports HRAPP_SECRET_SHAPE,
# the database secret's keys as the synthesized stacks produce them (tests build theirs so).
if [[ -z ${HRAPP_SECRET_SHAPE:-} ]]; then
  [[ -d infra/node_modules/aws-cdk-lib ]] || (cd infra && npm ci --no-audit --no-fund --loglevel=error >&2)
  HRAPP_SECRET_SHAPE=$(cd infra && node --import tsx test/secret-shape.ts)
  export HRAPP_SECRET_SHAPE
fi
