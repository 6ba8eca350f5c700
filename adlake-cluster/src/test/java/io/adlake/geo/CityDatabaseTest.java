package io.adlake.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.adlake.TestServices;
import io.adlake.config.ConfigurationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Look-ups in the GeoLite2-City file of 2019-11 that the build unpacks (adlake.geolite2.file).
 * Every expected value was read from the same file with Debian's independent reader, e.g.
 *
 * <pre>
 * mmdblookup --file adlake-embedded/target/geolite2/GeoLite2-City.mmdb --ip 78.194.206.16 city names en
 * </pre>
 *
 * (and the paths subdivisions 0 iso_code, country iso_code, postal code, location time_zone,
 * location latitude, location longitude).
 */
class CityDatabaseTest {
  private static CityDatabase database;

  @BeforeAll
  static void open() {
    database = CityDatabase.open(TestServices.geoLite2City(), "GeoLite2-City.mmdb");
  }

  @AfterAll
  static void close() throws IOException {
    database.close();
  }

  @Test
  void publicIpv4ResolvesToItsCityRegionPostalCodeTimeZoneAndCoordinates() {
    // mmdblookup: "Lyon", subdivision "ARA" of "FR", "69000", "Europe/Paris", 45.748000, 4.850000
    assertEquals(
        Optional.of(new GeoLocation("Lyon", "FR-ARA", "69000", "Europe/Paris", 45.748, 4.85)),
        database.locate("78.194.206.16"));
    // mmdblookup: "Abingdon", "ENG" of "GB", "OX13", "Europe/London", 51.709500, -1.361400
    assertEquals(
        Optional.of(
            new GeoLocation("Abingdon", "GB-ENG", "OX13", "Europe/London", 51.7095, -1.3614)),
        database.locate("81.2.69.142"));
  }

  @Test
  void publicIpv6ResolvesLikeIpv4() {
    // mmdblookup: "Detroit", "MI" of "US", "48215", "America/Detroit", 42.377300, -82.951300
    assertEquals(
        Optional.of(
            new GeoLocation("Detroit", "US-MI", "48215", "America/Detroit", 42.3773, -82.9513)),
        database.locate("2600:1700::1"));
  }

  @Test
  void addressKnownOnlyToItsCountryHasTimeZoneAndCoordinatesButNoCity() {
    // mmdblookup: country "US", location time_zone "America/Chicago", 37.751000, -97.822000; no
    // city,
    // subdivisions or postal entry
    assertEquals(
        Optional.of(new GeoLocation(null, null, null, "America/Chicago", 37.751, -97.822)),
        database.locate("2001:4860:4860::8888"));
  }

  @Test
  void privateLoopbackAndReservedAddressesResolveToNothing() {
    for (String address :
        new String[] {
          "10.1.2.3",
          "172.16.0.9",
          "192.168.1.1",
          "127.0.0.1",
          "::1",
          "0.0.0.0",
          "169.254.1.1",
          "fd12:3456::1",
          "fe80::1",
          "224.0.0.1",
          "192.0.2.1"
        }) {
      // mmdblookup --ip ::1 (and each of these): "Could not find an entry for this IP address"
      assertEquals(Optional.empty(), database.locate(address), address);
    }
  }

  @Test
  void malformedAddressesResolveToNothingWithoutAskingDns() {
    for (String address :
        new String[] {
          "",
          " ",
          "not-an-ip",
          "localhost",
          "256.1.1.1",
          "1.2.3",
          "1.2.3.4.5",
          "12:34:56:zz::1",
          "2600:1700::1::2",
          "78.194.206.16/24"
        }) {
      assertEquals(Optional.empty(), database.locate(address), address);
    }
    assertEquals(Optional.empty(), database.locate(null));
  }

  @Test
  void missingFileFailsNamingTheSetting(@TempDir Path dir) {
    ConfigurationException e =
        assertThrows(
            ConfigurationException.class,
            () -> CityDatabase.open(dir.resolve("GeoLite2-City.mmdb"), "/data/GeoLite2-City.mmdb"));
    assertTrue(
        e.getMessage()
            .startsWith(
                "adlake.enrichment.geoip.path = '/data/GeoLite2-City.mmdb' cannot be used: there is "
                    + "no readable file at "),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("or to \"\" to leave the geo_* columns NULL."));
  }

  @Test
  void corruptFileFailsNamingTheSetting(@TempDir Path dir) throws IOException {
    Path corrupt = Files.writeString(dir.resolve("City.mmdb"), "not a MaxMind database");
    ConfigurationException e =
        assertThrows(ConfigurationException.class, () -> CityDatabase.open(corrupt, "City.mmdb"));
    assertTrue(
        e.getMessage()
            .startsWith(
                "adlake.enrichment.geoip.path = 'City.mmdb' cannot be used: it is not a MaxMind DB "
                    + "(.mmdb) file: "),
        e.getMessage());
  }

  @Test
  void databaseTypeIsReadFromTheFile() {
    // mmdblookup --file ... --ip 78.194.206.16 --verbose: "Database metadata ... Type:
    // GeoLite2-City"
    assertEquals("GeoLite2-City", database.type());
  }
}
