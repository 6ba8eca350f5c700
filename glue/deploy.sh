#!/usr/bin/env bash
# Deploys adlake's streaming jobs to AWS Glue 5.x or 6.x: uploads the jar built for the chosen Glue version, the
# rendered configuration and the entry stub to S3 under content-hashed keys, creates each Glue job or updates it
# when it exists, and starts a run of each.
set -euo pipefail
OWN_VARIABLES=(
  "GLUE_ROLE_ARN                       the jobs' IAM role (policy: target/aws/glue/iam-policy.json)"
  "GLUE_CONNECTION_NAME                Glue NETWORK connection in a subnet that reaches MSK"
  "GLUE_VERSION (optional)             the Glue version, which picks the jar (list below)"
  "GLUE_MAINTENANCE_WINDOW (optional)  day:hour (GMT) when Glue may restart the streaming runs (Sun:03)"
)
RUNTIME_VARIABLE=GLUE_VERSION
RUNTIME_LABEL="Glue %s"
# shellcheck source-path=SCRIPTDIR source=../bin/aws-deploy-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../bin/aws-deploy-lib.sh"
# Glue restarts a streaming run every 7 days for its maintenance; in this window rather than when it chooses.
GLUE_MAINTENANCE_WINDOW=${GLUE_MAINTENANCE_WINDOW:-Sun:03}
prepare "$@"
[[ $GLUE_MAINTENANCE_WINDOW =~ ^(Sun|Mon|Tue|Wed|Thu|Fri|Sat):([01]?[0-9]|2[0-3])$ ]] \
  || die "GLUE_MAINTENANCE_WINDOW is a day and an hour in GMT, e.g. Sun:03, got '$GLUE_MAINTENANCE_WINDOW'"

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
# Like the jar, the settings go under a key of their content: a restarted run reads what it started with.
ADLAKE_CONF_URI=$(versioned_uri "$OUT/adlake-glue.conf" conf)
TEMPLATE_VARIABLES+=(ADLAKE_CONF_URI)
render "$ROOT/glue/iam-policy.json" "$OUT/iam-policy.json"
render "$ROOT/glue/iam-policy-kinesis-efo.json" "$OUT/iam-policy-kinesis-efo.json"
render "$ROOT/glue/iam-trust.json" "$OUT/iam-trust.json"
for job in "${JOBS[@]}"; do
  render "$ROOT/glue/job-$job.json" "$OUT/job-$job.json"
  # UpdateJob takes the same definition without its Name (the templates keep Name on a line of its own).
  sed '/^  "Name": /d' "$OUT/job-$job.json" >"$OUT/job-$job.update.json"
done

aws_cmd s3 cp "$ADLAKE_JAR" "$ADLAKE_JAR_URI"
aws_cmd s3 cp "$OUT/adlake-glue.conf" "$ADLAKE_CONF_URI"
aws_cmd s3 cp "$ROOT/glue/adlake_entry.scala" "$ARTIFACTS/glue/adlake_entry.scala"

# shellcheck disable=SC2034 # lookup, start, stop, status: read through start_unless_active's namerefs
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
  "(Spark), streams <run id>-driver and <run id>-executor<N>; Spark UI event logs under $S3_ROOT/spark-ui-logs/." \
  "Rendered files: $OUT"
