#!/usr/bin/env bash
# Deploys adlake's streaming jobs to AWS Glue 5.x: uploads the shaded jar, the rendered configuration and the
# entry stub to S3, creates each Glue job or updates it when it exists, and starts a run of each.
set -euo pipefail
OWN_VARIABLES=(
  "GLUE_ROLE_ARN                       the jobs' IAM role (policy: target/aws/glue/iam-policy.json)"
  "GLUE_CONNECTION_NAME                Glue NETWORK connection in a subnet that reaches MSK"
)
# shellcheck source-path=SCRIPTDIR source=../bin/aws-deploy-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../bin/aws-deploy-lib.sh"
prepare "$@"

# A Glue driver has no environment of ours: the deployment's values follow conf/glue.conf as plain settings,
# which override its required ${ADLAKE_…} substitutions (later settings win in HOCON).
{
  cat "$ROOT/conf/glue.conf"
  printf '\n# Deployment values, appended by %s.\n' "$SCRIPT"
  printf 'adlake.catalog.warehouse = "%s"\n' "$S3_ROOT/warehouse"
  printf 'adlake.streaming.checkpoint-root = "%s"\n' "$S3_ROOT/checkpoints"
  printf 'adlake.source.kafka.bootstrap-servers = "%s"\n' "$ADLAKE_KAFKA_BOOTSTRAP_SERVERS"
  printf 'adlake.catalog.namespace = "%s"\n' "$ADLAKE_NAMESPACE"
  printf 'adlake.catalog.properties."client.region" = "%s"\n' "$AWS_REGION"
} >"$OUT/adlake-glue.conf"
render "$ROOT/glue/iam-policy.json" "$OUT/iam-policy.json"
render "$ROOT/glue/iam-trust.json" "$OUT/iam-trust.json"
for job in "${JOBS[@]}"; do
  render "$ROOT/glue/job-$job.json" "$OUT/job-$job.json"
  # UpdateJob takes the same definition without its Name (the templates keep Name on a line of its own).
  sed '/^  "Name": /d' "$OUT/job-$job.json" >"$OUT/job-$job.update.json"
done

aws_cmd s3 cp "$ADLAKE_JAR" "$ADLAKE_JAR_URI"
aws_cmd s3 cp "$OUT/adlake-glue.conf" "$ARTIFACTS/adlake-glue.conf"
aws_cmd s3 cp "$ROOT/glue/adlake_entry.scala" "$ARTIFACTS/glue/adlake_entry.scala"

for job in "${JOBS[@]}"; do
  name="$ADLAKE_NAME-$job"
  if $DRY_RUN; then
    aws_cmd glue get-job --job-name "$name"
    echo "# if it exists:"
    aws_cmd glue update-job --job-name "$name" --job-update "file://$OUT/job-$job.update.json"
    echo "# otherwise:"
    aws_cmd glue create-job --cli-input-json "file://$OUT/job-$job.json"
  elif aws glue get-job --job-name "$name" --region "$AWS_REGION" >/dev/null 2>&1; then
    aws_cmd glue update-job --job-name "$name" --job-update "file://$OUT/job-$job.update.json" >/dev/null
  else
    aws_cmd glue create-job --cli-input-json "file://$OUT/job-$job.json" >/dev/null
  fi
  $START || continue

  # MaxConcurrentRuns is 1 as well: Glue would refuse a second run.
  lookup=(glue get-job-runs --job-name "$name" --output text
    --query "JobRuns[?JobRunState=='RUNNING' || JobRunState=='STARTING' || JobRunState=='WAITING'].Id | [0]")
  start=(glue start-job-run --job-name "$name" --query JobRunId --output text)
  stop=(glue batch-stop-job-run --job-name "$name" --job-run-ids '{}')
  status=(glue get-job-run --job-name "$name" --run-id '{}')
  start_unless_active "$name" lookup start stop status
done
echo "Logs: CloudWatch log groups /aws-glue/jobs/output (adlake's progress lines) and /aws-glue/jobs/error" \
  "(Spark), streams <run id>-driver and <run id>-executor<N>. Rendered files: $OUT"
