package io.adlake.lake;

import io.adlake.config.AdlakeConfig.MergeModeSetting;
import io.adlake.config.ConfigurationException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a MERGE writes its changes ({@code write.merge.mode}, also used for update and delete).
 * Merge-on-read is the cheaper one here (a MERGE that only inserts writes just its new files), but
 * Iceberg's Spark runtime before 1.10 fails a merge-on-read MERGE on a table with identifier fields
 * (apache/iceberg#11709; seen here on 1.7.1, 1.8.1 and 1.9.2, fixed in 1.10.0). Glue 5.0 and EMR
 * 7.7-7.9 ship 1.7.1, so {@code auto} falls back to copy-on-write there.
 */
public enum MergeMode {
  MERGE_ON_READ("merge-on-read"),
  COPY_ON_WRITE("copy-on-write");

  private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+).*");
  private final String property;

  MergeMode(String property) {
    this.property = property;
  }

  /**
   * The value of Iceberg's {@code write.merge.mode} / {@code write.update.mode} / {@code
   * write.delete.mode}.
   */
  public String property() {
    return property;
  }

  /**
   * @param configured {@code adlake.attribution.merge-mode}
   * @param icebergVersion the runtime's version, e.g. {@code IcebergBuild.version()}
   */
  public static MergeMode resolve(MergeModeSetting configured, String icebergVersion) {
    boolean morWorks = mergeOnReadWorksWithIdentifierFields(icebergVersion);
    return switch (configured) {
      case AUTO -> morWorks ? MERGE_ON_READ : COPY_ON_WRITE;
      case COPY_ON_WRITE -> COPY_ON_WRITE;
      case MERGE_ON_READ -> {
        if (!morWorks) {
          throw new ConfigurationException(
              "adlake.attribution.merge-mode = merge-on-read needs Iceberg 1.10 or "
                  + "newer: the Iceberg runtime here is "
                  + icebergVersion
                  + ", whose MERGE fails on merge-on-read "
                  + "tables with identifier fields (apache/iceberg#11709). Use auto or copy-on-write.");
        }
        yield MERGE_ON_READ;
      }
    };
  }

  /** True from Iceberg 1.10 on; an unreadable version counts as old, the safe side. */
  static boolean mergeOnReadWorksWithIdentifierFields(String icebergVersion) {
    Matcher m = VERSION.matcher(icebergVersion == null ? "" : icebergVersion.trim());
    if (!m.matches()) {
      return false;
    }
    int major = Integer.parseInt(m.group(1));
    int minor = Integer.parseInt(m.group(2));
    return major > 1 || (major == 1 && minor >= 10);
  }
}
