package io.adlake.local.soak;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The driver's open file descriptors, from {@code /proc/self/fd} (Linux). */
record OpenFiles(int total, int underWarehouse, int sockets) {
  private static final Path FDS = Path.of("/proc/self/fd");

  static boolean supported() {
    return Files.isDirectory(FDS);
  }

  /**
   * Counts the descriptors; {@code warehouse} (absolute) separates the lake's files (manifests,
   * metadata, data files) from the rest.
   */
  static OpenFiles count(Path warehouse) {
    int total = 0;
    int lake = 0;
    int sockets = 0;
    String root = warehouse.toAbsolutePath().normalize().toString();
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(FDS)) {
      for (Path fd : fds) {
        total++;
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith(root)) {
            lake++;
          } else if (target.startsWith("socket:")) {
            sockets++;
          }
        } catch (IOException e) {
          // Closed between listing and reading: counted, not classified.
        }
      }
    } catch (IOException e) {
      return new OpenFiles(-1, -1, -1);
    }
    return new OpenFiles(total, lake, sockets);
  }
}
