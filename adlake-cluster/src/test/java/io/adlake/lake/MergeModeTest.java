package io.adlake.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.config.AdlakeConfig.MergeModeSetting;
import io.adlake.config.ConfigurationException;
import org.junit.jupiter.api.Test;

class MergeModeTest {
  @Test
  void autoUsesMergeOnReadFromIceberg110AndCopyOnWriteBefore() {
    assertEquals(MergeMode.COPY_ON_WRITE, MergeMode.resolve(MergeModeSetting.AUTO, "1.7.1"));
    assertEquals(MergeMode.COPY_ON_WRITE, MergeMode.resolve(MergeModeSetting.AUTO, "1.8.1"));
    assertEquals(MergeMode.COPY_ON_WRITE, MergeMode.resolve(MergeModeSetting.AUTO, "1.9.2"));
    assertEquals(MergeMode.MERGE_ON_READ, MergeMode.resolve(MergeModeSetting.AUTO, "1.10.0"));
    assertEquals(
        MergeMode.MERGE_ON_READ, MergeMode.resolve(MergeModeSetting.AUTO, "1.12.0-amzn-0"));
    assertEquals(MergeMode.MERGE_ON_READ, MergeMode.resolve(MergeModeSetting.AUTO, "2.0.0"));
    assertEquals(
        MergeMode.COPY_ON_WRITE,
        MergeMode.resolve(MergeModeSetting.AUTO, "unknown"),
        "unreadable: the safe side");
  }

  @Test
  void explicitMergeOnReadOnAnAffectedRuntimeFailsNamingTheSettingAndTheBug() {
    ConfigurationException e =
        assertThrows(
            ConfigurationException.class,
            () -> MergeMode.resolve(MergeModeSetting.MERGE_ON_READ, "1.7.1"));
    assertTrue(
        e.getMessage().contains("adlake.attribution.merge-mode")
            && e.getMessage().contains("11709")
            && e.getMessage().contains("1.7.1"),
        e.getMessage());
    assertEquals(
        MergeMode.COPY_ON_WRITE, MergeMode.resolve(MergeModeSetting.COPY_ON_WRITE, "1.10.0"));
  }
}
