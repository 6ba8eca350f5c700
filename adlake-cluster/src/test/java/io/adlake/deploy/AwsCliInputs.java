package io.adlake.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The members the AWS CLI accepts in a {@code --cli-input-json} (or {@code --job-update}) document,
 * per structure, as the service models of botocore 1.43.11 (aws-cli 1.45.11) declare them for the
 * operations deploy.sh calls. The CLI rejects an unknown member before it sends anything ("Unknown
 * parameter in input"), so a misspelled or misplaced key fails here instead of at deploy time.
 *
 * <p>Paths are JSON pointers into the document, {@code []} standing for any element of an array;
 * {@link #FREE} marks a string map whose keys are the user's (job arguments, tags).
 */
final class AwsCliInputs {
  /** A map whose keys are data, not members. */
  static final Set<String> FREE = Set.of("*");

  /** glue create-job. */
  static final Map<String, Set<String>> CREATE_JOB =
      Map.of(
          "",
          Set.of(
              "Name",
              "JobMode",
              "JobRunQueuingEnabled",
              "Description",
              "LogUri",
              "Role",
              "ExecutionProperty",
              "Command",
              "DefaultArguments",
              "NonOverridableArguments",
              "Connections",
              "MaxRetries",
              "AllocatedCapacity",
              "Timeout",
              "MaxCapacity",
              "SecurityConfiguration",
              "Tags",
              "NotificationProperty",
              "GlueVersion",
              "NumberOfWorkers",
              "WorkerType",
              "CodeGenConfigurationNodes",
              "ExecutionClass",
              "SourceControlDetails",
              "MaintenanceWindow"),
          "/Command",
          Set.of("Name", "ScriptLocation", "PythonVersion", "Runtime"),
          "/ExecutionProperty",
          Set.of("MaxConcurrentRuns"),
          "/Connections",
          Set.of("Connections"),
          "/NotificationProperty",
          Set.of("NotifyDelayAfter"),
          "/DefaultArguments",
          FREE,
          "/NonOverridableArguments",
          FREE,
          "/Tags",
          FREE);

  /** glue update-job --job-update: CreateJob's members less Name and Tags. */
  static final Map<String, Set<String>> JOB_UPDATE = jobUpdate();

  /** emr-serverless create-application. */
  static final Map<String, Set<String>> CREATE_APPLICATION =
      Map.of(
          "",
          Set.of(
              "name",
              "releaseLabel",
              "type",
              "clientToken",
              "initialCapacity",
              "maximumCapacity",
              "tags",
              "autoStartConfiguration",
              "autoStopConfiguration",
              "networkConfiguration",
              "architecture",
              "imageConfiguration",
              "workerTypeSpecifications",
              "runtimeConfiguration",
              "monitoringConfiguration",
              "diskEncryptionConfiguration",
              "interactiveConfiguration",
              "schedulerConfiguration",
              "identityCenterConfiguration",
              "jobLevelCostAllocationConfiguration"),
          "/maximumCapacity",
          Set.of("cpu", "memory", "disk"),
          "/autoStartConfiguration",
          Set.of("enabled"),
          "/autoStopConfiguration",
          Set.of("enabled", "idleTimeoutMinutes"),
          "/networkConfiguration",
          Set.of("subnetIds", "securityGroupIds"),
          "/tags",
          FREE);

  /** emr-serverless start-job-run. */
  static final Map<String, Set<String>> START_JOB_RUN =
      Map.ofEntries(
          Map.entry(
              "",
              Set.of(
                  "applicationId",
                  "clientToken",
                  "executionRoleArn",
                  "executionIamPolicy",
                  "jobDriver",
                  "configurationOverrides",
                  "tags",
                  "executionTimeoutMinutes",
                  "name",
                  "mode",
                  "retryPolicy")),
          Map.entry("/jobDriver", Set.of("sparkSubmit", "hive")),
          Map.entry(
              "/jobDriver/sparkSubmit",
              Set.of("entryPoint", "entryPointArguments", "sparkSubmitParameters")),
          Map.entry(
              "/configurationOverrides",
              Set.of(
                  "applicationConfiguration",
                  "monitoringConfiguration",
                  "diskEncryptionConfiguration")),
          Map.entry(
              "/configurationOverrides/monitoringConfiguration",
              Set.of(
                  "s3MonitoringConfiguration",
                  "managedPersistenceMonitoringConfiguration",
                  "cloudWatchLoggingConfiguration",
                  "prometheusMonitoringConfiguration")),
          Map.entry(
              "/configurationOverrides/monitoringConfiguration/s3MonitoringConfiguration",
              Set.of("logUri", "encryptionKeyArn")),
          Map.entry(
              "/configurationOverrides/monitoringConfiguration/cloudWatchLoggingConfiguration",
              Set.of(
                  "enabled",
                  "logGroupName",
                  "logStreamNamePrefix",
                  "encryptionKeyArn",
                  "logTypes")),
          Map.entry("/retryPolicy", Set.of("maxAttempts", "maxFailedAttemptsPerHour")),
          Map.entry("/tags", FREE));

  /** An IAM policy document and its statements. */
  static final Map<String, Set<String>> IAM_POLICY =
      Map.of(
          "",
          Set.of("Version", "Id", "Statement"),
          "/Statement[]",
          Set.of(
              "Sid",
              "Effect",
              "Principal",
              "NotPrincipal",
              "Action",
              "NotAction",
              "Resource",
              "NotResource",
              "Condition"),
          "/Statement[]/Principal",
          Set.of("Service", "AWS", "Federated"),
          "/Statement[]/Condition",
          FREE,
          "/Statement[]/Condition/*",
          FREE);

  private AwsCliInputs() {}

  private static Map<String, Set<String>> jobUpdate() {
    Set<String> top = new TreeSet<>(CREATE_JOB.get(""));
    top.removeAll(Set.of("Name", "Tags"));
    Map<String, Set<String>> update = new HashMap<>(CREATE_JOB);
    update.put("", Set.copyOf(top));
    update.remove("/Tags");
    return Map.copyOf(update);
  }

  /** Fails naming every member of the document that the operation does not declare. */
  static void assertAccepted(Map<String, Set<String>> operation, JsonNode document, String what) {
    List<String> unknown = new ArrayList<>();
    walk(operation, document, "", unknown);
    assertTrue(unknown.isEmpty(), what + ": the AWS CLI rejects " + unknown);
  }

  private static void walk(
      Map<String, Set<String>> operation, JsonNode node, String path, List<String> unknown) {
    if (node.isArray()) {
      node.forEach(element -> walk(operation, element, path + "[]", unknown));
      return;
    }
    if (!node.isObject()) {
      return;
    }
    Set<String> members = operation.get(path);
    if (members == null) {
      members = operation.get(path.substring(0, path.lastIndexOf('/') + 1) + "*");
    }
    if (members == null) {
      fail("no member list for the structure at '" + path + "'; add it to AwsCliInputs");
    }
    for (var field : node.properties()) {
      if (members != FREE && !members.contains(field.getKey())) {
        unknown.add(path + "/" + field.getKey());
      } else if (members != FREE || field.getValue().isContainerNode()) {
        walk(operation, field.getValue(), path + "/" + field.getKey(), unknown);
      }
    }
  }
}
