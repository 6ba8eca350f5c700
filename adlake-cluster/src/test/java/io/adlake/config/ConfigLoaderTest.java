package io.adlake.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import io.adlake.config.AdlakeConfig.CatalogType;
import io.adlake.config.AdlakeConfig.KinesisConsumerType;
import io.adlake.config.AdlakeConfig.MergeModeSetting;
import io.adlake.config.AdlakeConfig.SchemaCompatibility;
import io.adlake.config.AdlakeConfig.SourceType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @Test
  void anEnvironmentFileIsReadFromAFileSystemUri(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("remote.conf");
    Files.writeString(
        file, "adlake.catalog.namespace = from_uri\nadlake.spark.shuffle-partitions = 7\n");
    AdlakeConfig config = ConfigLoader.load(file.toUri().toString(), List.of());
    assertEquals("from_uri", config.catalog().namespace());
    assertEquals(7, config.spark().shufflePartitions());

    String missing = dir.resolve("nowhere.conf").toUri().toString();
    ConfigurationException notThere =
        assertThrows(ConfigurationException.class, () -> ConfigLoader.load(missing, List.of()));
    assertTrue(
        notThere.getMessage().contains(missing) && notThere.getMessage().contains("does not exist"),
        notThere.getMessage());
    ConfigurationException noClient =
        assertThrows(
            ConfigurationException.class,
            () -> ConfigLoader.load("nosuchfs://bucket/adlake.conf", List.of()));
    assertTrue(
        noClient.getMessage().contains("nosuchfs://bucket/adlake.conf"), noClient.getMessage());
  }

  @Test
  void localEnvironmentOverridesTheDefaults() {
    AdlakeConfig config = ConfigLoader.load("local", List.of());
    assertEquals(Optional.of("local[2]"), config.spark().master());
    assertEquals(2, config.spark().shufflePartitions());
    assertEquals(CatalogType.HADOOP, config.catalog().type());
    assertEquals("data/warehouse", config.catalog().warehouse());
    assertEquals(Duration.ofSeconds(30), config.attribution().clickWindow());
    assertEquals(Duration.ofSeconds(30), config.attribution().clickSkew());
    assertEquals("false", config.spark().extra().get("spark.ui.enabled"));
    assertEquals("adlake.adlake.enriched_ad_data", config.catalog().qualified("enriched_ad_data"));
  }

  @Test
  void commandLineOverridesWinAndKeepTheirTypes() {
    AdlakeConfig config =
        ConfigLoader.load(
            "local",
            List.of(
                "adlake.attribution.click-window=45s",
                "adlake.source.type=files",
                "adlake.source.kafka.max-offsets-per-trigger=5000",
                "adlake.spark.extra.\"spark.executor.memory\"=2g"));
    assertEquals(Duration.ofSeconds(45), config.attribution().clickWindow());
    assertEquals(SourceType.FILES, config.source().type());
    assertEquals(5000, config.source().kafka().maxOffsetsPerTrigger());
    assertEquals("2g", config.spark().extra().get("spark.executor.memory"));
  }

  @Test
  void unknownKeyFailsNamingItsPath() {
    ConfigurationException e =
        assertThrows(
            ConfigurationException.class,
            () -> ConfigLoader.load("local", List.of("adlake.attribution.click-windw=45s")));
    assertTrue(e.getMessage().contains("adlake.attribution.click-windw"), e.getMessage());
  }

  @Test
  void wrongTypeFailsNamingItsPath() {
    ConfigurationException e =
        assertThrows(
            ConfigurationException.class,
            () -> ConfigLoader.load("local", List.of("adlake.attribution.click-window=soon")));
    assertTrue(e.getMessage().contains("click-window"), e.getMessage());
  }

  @Test
  void missingKeyInAnEnvironmentFileFailsNamingItsPath(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("broken.conf");
    Files.writeString(file, "adlake.catalog.name = null\n");
    ConfigurationException e =
        assertThrows(
            ConfigurationException.class, () -> ConfigLoader.load(file.toString(), List.of()));
    assertTrue(e.getMessage().contains("catalog.name"), e.getMessage());
  }

  @Test
  void identifiersAreValidatedBeforeTheyCanReachSql() {
    ConfigurationException e =
        assertThrows(
            ConfigurationException.class,
            () ->
                ConfigLoader.load(
                    "local", List.of("adlake.catalog.namespace=adlake; DROP TABLE x")));
    assertTrue(e.getMessage().contains("adlake.catalog.namespace"), e.getMessage());
    assertThrows(
        ConfigurationException.class,
        () -> ConfigLoader.load("local", List.of("adlake.attribution.table=t-1")));
  }

  @Test
  void restCatalogNeedsAUri() {
    ConfigurationException e =
        assertThrows(
            ConfigurationException.class,
            () -> ConfigLoader.load("local", List.of("adlake.catalog.type=rest")));
    assertTrue(e.getMessage().contains("adlake.catalog.uri"), e.getMessage());
    ConfigurationException noScheme =
        assertThrows(
            ConfigurationException.class,
            () ->
                ConfigLoader.load(
                    "local", List.of("adlake.catalog.type=rest", "adlake.catalog.uri=rest:8181")));
    assertTrue(
        noScheme.getMessage().contains("adlake.catalog.uri")
            && noScheme.getMessage().contains("rest:8181"),
        noScheme.getMessage());
  }

  @Test
  void badEnumAndShareValuesNameTheKeyAndTheChoices() {
    ConfigurationException type =
        assertThrows(
            ConfigurationException.class,
            () -> ConfigLoader.load("local", List.of("adlake.source.type=kinesiss")));
    assertTrue(
        type.getMessage().contains("adlake.source.type") && type.getMessage().contains("kafka"));
    ConfigurationException share =
        assertThrows(
            ConfigurationException.class,
            () -> ConfigLoader.load("local", List.of("adlake.generator.click-rate=1.5")));
    assertTrue(share.getMessage().contains("adlake.generator.click-rate"), share.getMessage());
  }

  @Test
  void unknownEnvironmentSaysWhichOnesExist() {
    ConfigurationException e =
        assertThrows(ConfigurationException.class, () -> ConfigLoader.load("staging", List.of()));
    assertTrue(
        e.getMessage().contains("staging") && e.getMessage().contains("local"), e.getMessage());
  }

  @Test
  void commandLineDurationsReadAsHoconAndABadOneNamesTheOption() {
    assertEquals(Duration.ofSeconds(30), ConfigLoader.duration("30s", "--duration"));
    assertEquals(Duration.ofMinutes(5), ConfigLoader.duration("5 minutes", "--duration"));
    ConfigurationException e =
        assertThrows(
            ConfigurationException.class, () -> ConfigLoader.duration("soon", "--trigger"));
    assertTrue(
        e.getMessage().contains("--trigger") && e.getMessage().contains("soon"), e.getMessage());
  }

  @Test
  void applicationConfIsRenderedFromTheDeclarations() throws Exception {
    String file = Files.readString(Path.of(ApplicationConf.PATH));
    assertEquals(
        ApplicationConf.render(),
        file,
        ApplicationConf.PATH
            + " differs from the declarations in "
            + "AdlakeConfig.java: run make conf");
    for (Map.Entry<String, ConfigValue> entry : ConfigFactory.parseString(file).entrySet()) {
      assertTrue(ConfigBinder.isDeclared(entry.getKey()), "undeclared key " + entry.getKey());
    }
  }

  @Test
  void aKeyInTheWrongSectionFailsNamingItsPath() {
    ConfigurationException e =
        assertThrows(
            ConfigurationException.class,
            () -> ConfigLoader.load("local", List.of("adlake.generator.click-window=30s")));
    assertTrue(e.getMessage().contains("adlake.generator.click-window"), e.getMessage());
  }

  @Test
  void swappedValuesFailNamingTheKey() {
    ConfigurationException share =
        assertThrows(
            ConfigurationException.class,
            () -> ConfigLoader.load("local", List.of("adlake.generator.click-rate=30 seconds")));
    assertTrue(share.getMessage().contains("adlake.generator.click-rate"), share.getMessage());
    ConfigurationException count =
        assertThrows(
            ConfigurationException.class,
            () -> ConfigLoader.load("local", List.of("adlake.generator.campaigns=0.02")));
    assertTrue(count.getMessage().contains("adlake.generator.campaigns"), count.getMessage());
  }

  @Test
  void aMissingKeyFailsNamingItsPath() {
    Config withoutClickRate =
        ConfigLoader.resolve("local", List.of()).withoutPath("adlake.generator.click-rate");
    ConfigurationException e =
        assertThrows(ConfigurationException.class, () -> ConfigBinder.bind(withoutClickRate));
    assertTrue(e.getMessage().contains("adlake.generator.click-rate"), e.getMessage());
  }

  @Test
  void aBadChoiceNamesTheKeyAndTheAllowedValues() {
    Map<String, String> allowed =
        Map.of(
            "adlake.attribution.merge-mode=fast",
            "auto, merge-on-read, copy-on-write",
            "adlake.source.kinesis.consumer-type=KCL",
            "GetRecords, SubscribeToShard",
            "adlake.source.kinesis.starting-position=EARLY",
            "TRIM_HORIZON, LATEST",
            "adlake.source.schema-registry.compatibility=LOOSE",
            "BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE, NONE",
            "adlake.catalog.type=hive",
            "hadoop, rest, glue");
    allowed.forEach(
        (override, choices) -> {
          ConfigurationException e =
              assertThrows(
                  ConfigurationException.class,
                  () -> ConfigLoader.load("local", List.of(override)));
          String key = override.substring(0, override.indexOf('='));
          assertTrue(
              e.getMessage().contains(key) && e.getMessage().contains(choices), e.getMessage());
        });
  }

  @Test
  void choicesAreReadInTheirOwnSpellingWhateverTheCase() {
    AdlakeConfig config =
        ConfigLoader.load(
            "local",
            List.of(
                "adlake.attribution.merge-mode=copy-on-write",
                "adlake.source.kinesis.consumer-type=subscribetoshard",
                "adlake.source.kinesis.consumer-name=adlake",
                "adlake.source.schema-registry.compatibility=full_transitive"));
    assertEquals(MergeModeSetting.COPY_ON_WRITE, config.attribution().mergeMode());
    assertEquals(KinesisConsumerType.SUBSCRIBE_TO_SHARD, config.source().kinesis().consumerType());
    assertEquals(
        SchemaCompatibility.FULL_TRANSITIVE, config.source().schemaRegistry().compatibility());
  }

  @Test
  void anOrphanAgeUnder24HoursFailsAtStartUnlessAllowed() {
    ConfigurationException e =
        assertThrows(
            ConfigurationException.class,
            () -> ConfigLoader.load("local", List.of("adlake.maintenance.orphan-min-age=1h")));
    assertTrue(
        e.getMessage().contains("adlake.maintenance.orphan-min-age")
            && e.getMessage().contains("allow-short-orphan-age"),
        e.getMessage());
    assertEquals(
        Duration.ofHours(1),
        ConfigLoader.load(
                "local",
                List.of(
                    "adlake.maintenance.orphan-min-age=1h",
                    "adlake.maintenance.allow-short-orphan-age=true"))
            .maintenance()
            .orphanMinAge());
  }

  @Test
  void overrideWithoutEqualsSignIsRejected() {
    assertThrows(
        ConfigurationException.class,
        () -> ConfigLoader.load("local", List.of("adlake.spark.master")));
  }
}
