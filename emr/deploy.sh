#!/usr/bin/env bash
# Deploys adlake's streaming jobs to EMR Serverless: uploads the jar built for the chosen release to S3 under a
# content-hashed key, finds or creates the Spark application of that release, and starts one STREAMING job run
# per job unless one of that name is already active.
set -euo pipefail
OWN_VARIABLES=(
  "EMR_JOB_ROLE_ARN                    the job runtime role (policy: target/aws/emr/iam-policy.json)"
  "EMR_SUBNET_IDS                      subnets that reach MSK, comma-separated (new application only)"
  "EMR_SECURITY_GROUP_IDS              security groups MSK admits, comma-separated (new application only)"
  "EMR_APPLICATION_ID (optional)       use this application instead of finding or creating ADLAKE_NAME's"
  "EMR_RELEASE (optional)              the release label, which picks the jar (list below)"
  "EMR_ARCHITECTURE (optional)         X86_64 (default) or ARM64 (Graviton), for a new application"
)
RUNTIME_VARIABLE=EMR_RELEASE
RUNTIME_LABEL="%s"
# shellcheck source-path=SCRIPTDIR source=../bin/aws-deploy-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../bin/aws-deploy-lib.sh"
EMR_ARCHITECTURE=${EMR_ARCHITECTURE:-X86_64}
prepare "$@"
[[ $EMR_ARCHITECTURE =~ ^(X86_64|ARM64)$ ]] || die "EMR_ARCHITECTURE is X86_64 or ARM64, got '$EMR_ARCHITECTURE'"
# Not known before the application is found or created; rendered into the job runs below.
EMR_APPLICATION_ID=${EMR_APPLICATION_ID:-}
render "$ROOT/emr/application.json" "$OUT/application.json"
render "$ROOT/emr/iam-policy.json" "$OUT/iam-policy.json"
render "$ROOT/emr/iam-policy-kinesis-efo.json" "$OUT/iam-policy-kinesis-efo.json"
render "$ROOT/emr/iam-trust.json" "$OUT/iam-trust.json"

# An application runs one release: the jar of another release's Spark line fails there at its first class.
require_release() {
  local application=$1 release=$2
  [[ $release == "$EMR_RELEASE" ]] && return
  die "application $application runs $release, not EMR_RELEASE=$EMR_RELEASE ($RUNTIME runs" \
    "$(describe_line "$SPARK_LINE")). Deploy the jar built for it with EMR_RELEASE=$release, or move the" \
    "application while it is stopped: aws emr-serverless update-application --application-id $application" \
    "--release-label $EMR_RELEASE --region $AWS_REGION"
}

aws_cmd s3 cp "$ADLAKE_JAR" "$ADLAKE_JAR_URI"

if [[ -n $EMR_APPLICATION_ID ]]; then
  release_query=(emr-serverless get-application --application-id "$EMR_APPLICATION_ID"
    --query application.releaseLabel --output text)
  if $DRY_RUN; then
    aws_cmd "${release_query[@]}"
    echo "# stops unless it prints $EMR_RELEASE"
  else
    require_release "$EMR_APPLICATION_ID" "$(aws_cmd "${release_query[@]}")"
  fi
else
  find_query="applications[?name=='$ADLAKE_NAME' && state!='TERMINATED'] | [0].[id, releaseLabel]"
  network="subnetIds=$EMR_SUBNET_IDS,securityGroupIds=$EMR_SECURITY_GROUP_IDS"
  if $DRY_RUN; then
    aws_cmd emr-serverless list-applications --query "$find_query" --output text
    echo "# stops if it finds one whose release is not $EMR_RELEASE; unless it finds one:"
    aws_cmd emr-serverless create-application --cli-input-json "file://$OUT/application.json" \
      --network-configuration "$network" --query applicationId --output text
    EMR_APPLICATION_ID=dryrunapplicationid
  else
    found=$(aws_cmd emr-serverless list-applications --query "$find_query" --output text)
    read -r EMR_APPLICATION_ID release <<<"$found"
    if [[ -z $EMR_APPLICATION_ID || $EMR_APPLICATION_ID == None ]]; then
      EMR_APPLICATION_ID=$(aws_cmd emr-serverless create-application --cli-input-json "file://$OUT/application.json" \
        --network-configuration "$network" --query applicationId --output text)
      echo "created application $ADLAKE_NAME ($EMR_RELEASE): $EMR_APPLICATION_ID"
    else
      require_release "$EMR_APPLICATION_ID" "$release"
      echo "application $ADLAKE_NAME exists: $EMR_APPLICATION_ID (its settings are left as they are;" \
        "aws emr-serverless update-application changes them while it is stopped)"
    fi
  fi
fi
[[ $EMR_APPLICATION_ID =~ ^[0-9a-z]+$ ]] || die "not an application id: '$EMR_APPLICATION_ID'"

# shellcheck disable=SC2034 # lookup, start, stop, status: read through start_unless_active's namerefs
for job in "${JOBS[@]}"; do
  render "$ROOT/emr/job-$job.json" "$OUT/job-$job.json"
  $START || continue
  name="$ADLAKE_NAME-$job"
  app=(--application-id "$EMR_APPLICATION_ID")
  lookup=(emr-serverless list-job-runs "${app[@]}" --states SUBMITTED PENDING SCHEDULED RUNNING QUEUED
    --query "jobRuns[?name=='$name'].id | [0]" --output text)
  start=(emr-serverless start-job-run --cli-input-json "file://$OUT/job-$job.json" --query jobRunId --output text)
  stop=(emr-serverless cancel-job-run "${app[@]}" --job-run-id '{}')
  status=(emr-serverless get-job-run "${app[@]}" --job-run-id '{}')
  start_unless_active "$name" lookup start stop status
done
echo "Logs: CloudWatch log group /aws/emr-serverless/$ADLAKE_NAME, and" \
  "$S3_ROOT/emr-logs/applications/$EMR_APPLICATION_ID/jobs/<run id>/SPARK_DRIVER/stdout.gz. Rendered files: $OUT"
