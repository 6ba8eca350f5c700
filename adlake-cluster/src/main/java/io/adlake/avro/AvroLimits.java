package io.adlake.avro;

import java.util.List;

/**
 * Bounds on the lengths an Avro record may claim. Avro allocates a string, a byte array or an array
 * of the length a record claims before it finds the record too short for it, so random bytes
 * claiming 1.9 GB take that much of an executor's heap (Avro's own default refuses only lengths
 * near 2 GB). Avro reads these limits once, from system properties, the first time it checks one;
 * adlake sets them before it decodes a record, unless they are set already (e.g. {@code
 * -Dorg.apache.avro.limits.string.maxLength=...} in {@code spark.executor.extraJavaOptions}).
 * Honest records are far smaller: a record is at most {@code adlake.ingest.max-record-bytes} (1 MiB
 * by default; larger ones are quarantined before decoding), and each string, byte array or array
 * item takes at least one byte of it.
 */
final class AvroLimits {
  /**
   * 16 MiB: a claimed length beyond it is refused with Avro's SystemLimitException (an undecodable
   * record).
   */
  static final int MAX_LENGTH = 16 << 20;

  static final List<String> PROPERTIES =
      List.of(
          "org.apache.avro.limits.string.maxLength",
          "org.apache.avro.limits.bytes.maxLength",
          "org.apache.avro.limits.collectionItems.maxLength");

  private AvroLimits() {}

  /** Sets each limit that is not set yet; call before the JVM decodes its first Avro record. */
  static synchronized void apply() {
    for (String property : PROPERTIES) {
      if (System.getProperty(property) == null) {
        System.setProperty(property, Integer.toString(MAX_LENGTH));
      }
    }
  }
}
