package io.adlake.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.adlake.config.AdlakeConfig;
import io.adlake.config.AdlakeConfig.CatalogType;
import io.adlake.config.AdlakeConfig.SourceType;
import io.adlake.config.ConfigBinder;
import io.adlake.config.ConfigLoader;
import io.adlake.config.ConfigurationException;
import io.adlake.job.SparkSessions;
import java.io.File;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * conf/glue.conf and conf/emr.conf: the catalog Glue needs, nothing that points at this machine.
 */
class AwsEnvironmentConfigTest {
  private static final String CATALOG = "spark.sql.catalog.adlake";

  @Test
  void glueEnvironmentGivesExactlyTheGlueCatalogSettings() {
    for (String env : List.of("glue", "emr")) {
      AdlakeConfig config = ConfigLoader.load(env, DummyDeployment.settings());
      assertEquals(CatalogType.GLUE, config.catalog().type(), env);

      Map<String, String> expected = new HashMap<>();
      expected.put(CATALOG, "org.apache.iceberg.spark.SparkCatalog");
      expected.put(CATALOG + ".catalog-impl", "org.apache.iceberg.aws.glue.GlueCatalog");
      expected.put(CATALOG + ".io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
      expected.put(CATALOG + ".warehouse", DummyDeployment.WAREHOUSE);
      expected.put(CATALOG + ".cache-enabled", "false");
      expected.put(CATALOG + ".glue.skip-archive", "true");
      Optional.ofNullable(System.getenv("AWS_REGION"))
          .ifPresent(r -> expected.put(CATALOG + ".client.region", r));
      Map<String, String> actual = SparkSessions.catalogProperties(config.catalog());
      assertEquals(expected, actual, env);
      // Commits use Glue's optimistic locking (the table's VersionId), not a lock manager.
      assertFalse(actual.containsKey(CATALOG + ".lock-impl"), env);
    }
  }

  @Test
  void clusterSettingsReplaceTheLaptopOnes() {
    AdlakeConfig config = ConfigLoader.load("glue", DummyDeployment.settings());
    assertEquals(Optional.empty(), config.spark().master(), "the platform provides the master");
    assertEquals(16, config.spark().shufflePartitions());
    assertEquals(DummyDeployment.CHECKPOINTS, config.streaming().checkpointRoot());
    assertEquals(SourceType.KAFKA, config.source().type());
    assertEquals(DummyDeployment.BROKERS, config.source().kafka().bootstrapServers());
    assertEquals("SSL", config.source().kafka().options().get("kafka.security.protocol"));
    assertEquals("adlake", config.catalog().namespace());
    assertFalse(
        config.spark().extra().keySet().stream()
            .anyMatch(k -> k.startsWith("spark.ui.") || k.startsWith("spark.driver.")),
        "UI and driver-address settings are for a laptop: " + config.spark().extra());
  }

  @Test
  void aMissingDeploymentVariableFailsAtStartNamingIt() {
    assumeTrue(
        System.getenv("ADLAKE_KAFKA_BOOTSTRAP_SERVERS") == null,
        "ADLAKE_KAFKA_BOOTSTRAP_SERVERS is set here");
    ConfigurationException e =
        assertThrows(
            ConfigurationException.class,
            () -> ConfigLoader.load("glue", DummyDeployment.settings().subList(0, 2)));
    assertTrue(e.getMessage().contains("${ADLAKE_KAFKA_BOOTSTRAP_SERVERS}"), e.getMessage());
    assertTrue(e.getMessage().contains("environment variable"), e.getMessage());
  }

  /**
   * Inside the jar --env emr reads conf/emr.conf from the classpath, whose include must find
   * glue.conf there.
   */
  @Test
  void emrConfigurationIncludesGlueConfFromTheClasspathToo() {
    Config emr =
        ConfigFactory.parseResources("conf/emr.conf")
            .resolve(ConfigResolveOptions.defaults().setAllowUnresolved(true));
    assertEquals("glue", emr.getString("adlake.catalog.type"));
    assertEquals(16, emr.getInt("adlake.spark.shuffle-partitions"));
  }

  @Test
  void nothingInTheAwsEnvironmentsPointsAtThisMachine() {
    for (String env : List.of("glue", "emr")) {
      Map<String, String> environment = new HashMap<>(DummyDeployment.VARIABLES);
      environment.put("ADLAKE_WAREHOUSE", DummyDeployment.WAREHOUSE);
      environment.put("ADLAKE_CHECKPOINT_ROOT", DummyDeployment.CHECKPOINTS);
      Config own =
          ConfigFactory.parseFile(new File("conf", env + ".conf"))
              .withFallback(ConfigFactory.parseMap(environment))
              .resolve()
              .withOnlyPath("adlake");
      for (Map.Entry<String, ConfigValue> entry : own.entrySet()) {
        String key = entry.getKey();
        assertTrue(ConfigBinder.isDeclared(key), env + ".conf: undeclared key " + key);
        if (entry.getValue().valueType() != ConfigValueType.STRING) {
          continue;
        }
        String value = own.getString(key);
        for (String local : List.of("127.0.0.1", "localhost", "::1", "0.0.0.0", "file:")) {
          assertFalse(value.contains(local), env + ".conf: " + key + " = " + value);
        }
        if (key.endsWith("warehouse") || key.endsWith("checkpoint-root") || key.endsWith(".path")) {
          assertTrue(value.startsWith("s3://"), env + ".conf: " + key + " is not on S3: " + value);
        }
      }
      assertEquals(
          "", own.getString("adlake.spark.master"), env + ".conf: spark master must stay unset");
    }
  }
}
