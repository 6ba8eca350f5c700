package io.adlake.testservers;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.rest.RESTCatalogAdapter;
import org.apache.iceberg.rest.RESTCatalogServlet;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;

/**
 * An Iceberg REST catalog for tests, listening on 127.0.0.1 only: Iceberg's own servlet and request
 * router ({@link RESTCatalogServlet} over {@link RESTCatalogAdapter}) in Jetty, backed by the
 * catalog that the properties file describes (a JdbcCatalog on a SQLite file unless it says
 * otherwise).
 *
 * <p>{@code RestCatalogServer <catalog.properties>}: {@code rest.port} is the port (0, the default,
 * takes a free one); every other entry is a catalog property ({@code uri}, {@code warehouse},
 * {@code io-impl}, {@code s3.*}, ...). Prints {@code READY <port>} once it accepts requests, and
 * stops when its standard input ends (the test closes it) or on SIGTERM.
 */
public final class RestCatalogServer {
  static final String PORT = "rest.port";
  private static final String LOOPBACK = "127.0.0.1";

  private RestCatalogServer() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: RestCatalogServer <catalog.properties>");
      System.exit(2);
    }
    Map<String, String> properties = read(Path.of(args[0]));
    int port = Integer.parseInt(properties.getOrDefault(PORT, "0"));
    properties.remove(PORT);
    properties.putIfAbsent(CatalogUtil.ICEBERG_CATALOG_TYPE, CatalogUtil.ICEBERG_CATALOG_TYPE_JDBC);
    // SQLite has one writer at a time: one pooled connection queues commits instead of failing them
    // as busy.
    properties.putIfAbsent("clients", "1");
    properties.putIfAbsent("jdbc.schema-version", "V1");

    Catalog backend = CatalogUtil.buildIcebergCatalog("rest_backend", properties, null);
    RESTCatalogAdapter adapter = new RESTCatalogAdapter(backend);
    Server server = serve(adapter, port);
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> stop(server, adapter), "rest-catalog-stop"));
    System.out.println("READY " + ((ServerConnector) server.getConnectors()[0]).getLocalPort());
    System.out.flush();

    InputStream in = System.in;
    while (in.read() != -1) {
      // Nothing to read: the parent ends this process by closing the stream.
    }
    System.exit(0);
  }

  private static Server serve(RESTCatalogAdapter adapter, int port) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(LOOPBACK);
    connector.setPort(port);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
    context.addServlet(new ServletHolder(new RESTCatalogServlet(adapter)), "/*");
    server.setHandler(context);
    server.start();
    return server;
  }

  private static void stop(Server server, RESTCatalogAdapter adapter) {
    try {
      server.stop();
      adapter.close();
    } catch (Exception e) {
      System.err.println("REST catalog did not stop cleanly: " + e);
    }
  }

  private static Map<String, String> read(Path file) throws IOException {
    Properties loaded = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      loaded.load(reader);
    }
    Map<String, String> properties = new HashMap<>();
    loaded.stringPropertyNames().forEach(name -> properties.put(name, loaded.getProperty(name)));
    return properties;
  }
}
