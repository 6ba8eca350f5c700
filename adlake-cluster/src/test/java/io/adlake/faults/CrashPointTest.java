package io.adlake.faults;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.lake.WriteFaults;
import org.junit.jupiter.api.Test;

/** The fault suite's crash points: off unless set, and exact about where they halt. */
class CrashPointTest {
  @Test
  void unsetOrBlankMeansNoCrashPoint() {
    assertTrue(CrashPoint.parse(null).isEmpty());
    assertTrue(CrashPoint.parse(" ").isEmpty());
    assertTrue(System.getProperty(CrashPoint.PROPERTY) == null, "never set in the test JVM");
  }

  @Test
  void aCrashPointHaltsAtItsPointOfItsTableFromItsBatchOn() {
    CrashPoint point =
        CrashPoint.parse("after-commit-before-checkpoint:enriched_ad_data:2").orElseThrow();
    assertTrue(point.matches("after-commit-before-checkpoint", "adlake.ns.enriched_ad_data", 2));
    assertTrue(point.matches("after-commit-before-checkpoint", "adlake.ns.enriched_ad_data", 7));
    assertFalse(point.matches("after-commit-before-checkpoint", "adlake.ns.enriched_ad_data", 1));
    assertFalse(point.matches("during-merge", "adlake.ns.enriched_ad_data", 2));
    assertFalse(point.matches("after-commit-before-checkpoint", "adlake.ns.clicks", 2));
    assertTrue(
        CrashPoint.parse("during-merge:*:0")
            .orElseThrow()
            .matches("during-merge", "adlake.ns.clicks", 0));
  }

  @Test
  void theWritePathFindsTheFaultSuitesHookOnTheTestClasspath() {
    assertInstanceOf(CrashingWrites.class, WriteFaults.INSTALLED);
  }

  @Test
  void aMistypedCrashPointFailsNamingTheProperty() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> CrashPoint.parse("after-commit:enriched_ad_data"));
    assertTrue(
        e.getMessage().contains(CrashPoint.PROPERTY) && e.getMessage().contains("during-merge"),
        e.getMessage());
  }
}
