package io.adlake.geo;

import com.maxmind.db.CHMCache;
import com.maxmind.db.Reader;
import io.adlake.config.ConfigurationException;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An open MaxMind City database (GeoLite2-City or GeoIP2-City, .mmdb), memory-mapped: IP address →
 * {@link GeoLocation}. Thread-safe; executors share one per file ({@link #shared}).
 */
public final class CityDatabase implements Closeable {
  /** The setting that names the file; every failure to open it names it. */
  public static final String SETTING = "adlake.enrichment.geoip.path";

  private static final Logger LOG = LoggerFactory.getLogger(CityDatabase.class);

  /**
   * One reader per file per JVM: tasks of every batch share the mapping and its node cache instead
   * of mapping 60 MB per task. Closed by a shutdown hook, registered with the first one opened.
   */
  private static final Map<String, CityDatabase> SHARED = new ConcurrentHashMap<>();

  private static final Thread CLOSE_AT_SHUTDOWN =
      new Thread(CityDatabase::closeShared, "adlake-geoip-close");

  static {
    Runtime.getRuntime().addShutdownHook(CLOSE_AT_SHUTDOWN);
  }

  private final Path file;
  private final Reader reader;

  private CityDatabase(Path file, Reader reader) {
    this.file = file;
    this.reader = reader;
  }

  /**
   * Opens {@code file} on its own (the caller closes it).
   *
   * @param shownAs how the file is named in {@link #SETTING}, for messages
   * @throws ConfigurationException when the file is missing, is not a MaxMind DB or has no cities
   */
  public static CityDatabase open(Path file, String shownAs) {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new ConfigurationException(
          problem(shownAs, "there is no readable file at " + file.toAbsolutePath()));
    }
    Reader reader;
    try {
      reader = new Reader(file.toFile(), new CHMCache());
    } catch (IOException | RuntimeException e) {
      throw new ConfigurationException(
          problem(shownAs, "it is not a MaxMind DB (.mmdb) file: " + e.getMessage()), e);
    }
    String type = reader.getMetadata().databaseType();
    if (type == null || !type.contains("City")) {
      closeQuietly(reader);
      throw new ConfigurationException(
          problem(shownAs, "it is a " + type + " database, which has no cities"));
    }
    return new CityDatabase(file, reader);
  }

  /** The JVM's open database for {@code file}, opened on first use and closed at shutdown. */
  public static CityDatabase shared(Path file, String shownAs) {
    Path path = file.toAbsolutePath().normalize();
    return shared(path.toString(), () -> path, shownAs);
  }

  /**
   * The JVM's open database under {@code key}, opened on first use from the file {@code file}
   * supplies, and closed at shutdown.
   */
  public static CityDatabase shared(String key, Supplier<Path> file, String shownAs) {
    return SHARED.computeIfAbsent(
        key,
        k -> {
          Path path = file.get();
          CityDatabase database = open(path, shownAs);
          LOG.info(
              "Opened {} ({}, built {}) for IP geography",
              path,
              database.type(),
              database.reader.getMetadata().buildTime());
          return database;
        });
  }

  private static String problem(String shownAs, String what) {
    return SETTING
        + " = '"
        + shownAs
        + "' cannot be used: "
        + what
        + ". Set it to a GeoLite2-City or GeoIP2-City .mmdb file (a local path or any Hadoop URI), "
        + "or to \"\" to leave the geo_* columns NULL.";
  }

  /** GeoLite2-City, GeoIP2-City, ... as the file's metadata says. */
  public String type() {
    return reader.getMetadata().databaseType();
  }

  /**
   * Where the database places {@code ip}; empty when the text is not an IP address, when the
   * address is private, loopback, link-local or otherwise not routable, or when the database has no
   * record of it.
   */
  public Optional<GeoLocation> locate(String ip) {
    Optional<InetAddress> address = IpAddressLiteral.parse(ip).filter(IpAddressLiteral::isRoutable);
    if (address.isEmpty()) {
      return Optional.empty();
    }
    try {
      CityRecord found = reader.get(address.get(), CityRecord.class);
      return found == null ? Optional.empty() : Optional.of(found.toLocation());
    } catch (IOException e) {
      throw new UncheckedIOException("Lookup of " + ip + " in " + file + " failed", e);
    }
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }

  private static void closeShared() {
    SHARED.values().forEach(database -> closeQuietly(database.reader));
    SHARED.clear();
  }

  private static void closeQuietly(Reader reader) {
    try {
      reader.close();
    } catch (IOException e) {
      LOG.warn("Closing a GeoIP database failed", e);
    }
  }
}
