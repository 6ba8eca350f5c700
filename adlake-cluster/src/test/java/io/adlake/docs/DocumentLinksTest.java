package io.adlake.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every relative link in README.md and docs/*.md resolves: the file (or directory) it names exists,
 * and its {@code #anchor} is the GitHub anchor of a heading in the target file. Links to http(s)
 * and mailto are not followed. Links inside fenced code blocks and inline code are not links.
 */
class DocumentLinksTest {

  /**
   * {@code [text](target)} or {@code [text](target "title")}; images ({@code ![alt](src)}) match
   * too.
   */
  private static final Pattern LINK =
      Pattern.compile(
          "\\[(?:[^\\]\\[]|\\[[^\\]]*])*]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");

  private static final Pattern ATX_HEADING =
      Pattern.compile("^ {0,3}(#{1,6})(?:\\s+(.*?))?(?:\\s+#+)?\\s*$");
  private static final Pattern SETEXT_UNDERLINE = Pattern.compile("^ {0,3}(=+|-+)\\s*$");
  private static final Pattern FENCE = Pattern.compile("^ {0,3}(`{3,}|~{3,})");
  private static final Pattern INLINE_CODE = Pattern.compile("(`+)(.+?)\\1");
  private static final Pattern EXTERNAL = Pattern.compile("^(?i)(https?:|mailto:)");

  @Test
  void everyRelativeLinkOfTheReadmeAndDocsResolves() {
    Path root = repositoryRoot(Path.of("").toAbsolutePath());
    List<Path> documents = documents(root);
    assertTrue(documents.size() >= 2, "README.md and at least one docs/*.md: " + documents);

    List<Link> links = new ArrayList<>();
    for (Path document : documents) {
      links.addAll(links(document));
    }
    assertFalse(
        links.stream().filter(link -> !link.external()).toList().isEmpty(),
        "no relative link found in " + documents + ": is the link pattern broken?");

    List<String> broken = brokenLinks(root, links);
    assertTrue(
        broken.isEmpty(), broken.size() + " broken link(s):\n  " + String.join("\n  ", broken));
  }

  @Test
  void aMissingFileAndAMissingAnchorAreReported(@TempDir Path root) throws IOException {
    Files.createDirectories(root.resolve("docs"));
    Files.writeString(
        root.resolve("README.md"),
        String.join(
            "\n",
            "# adlake",
            "See [the guide](docs/guide.md#running-it), [nothing](docs/missing.md),",
            "[no such part](docs/guide.md#not-there), [here](#adlake), [away](https://example.org/x.md)",
            "and `[code](docs/not-a-link.md)`, and [a link whose text",
            "wraps](docs/wrapped.md).",
            "```",
            "[fenced](docs/also-not-a-link.md)",
            "```",
            ""));
    Files.writeString(
        root.resolve("docs/guide.md"),
        "# Guide\n\n## Running it\n\nBack to [the README](../README.md).\n");

    List<Link> links = new ArrayList<>();
    for (Path document : documents(root)) {
      links.addAll(links(document));
    }
    assertEquals(
        List.of(
            "README.md:2: docs/missing.md: no such file",
            "README.md:3: docs/guide.md#not-there: no heading of docs/guide.md has the anchor #not-there",
            "README.md:4: docs/wrapped.md: no such file"),
        brokenLinks(root, links));
    assertEquals(7, links.size(), "links outside code only: " + links);
  }

  @Test
  void anchorsFollowGitHubsSlugRules() {
    assertEquals("bronze-ingest-ingest", slug("Bronze ingest (`ingest`)"));
    assertEquals("analysts-sql-trino-and-athena", slug("Analysts' SQL: Trino and Athena"));
    assertEquals("aws-glue-5x", slug("AWS Glue 5.x"));
    assertEquals("the-exactly-once-commit-ledger", slug("The exactly-once commit ledger"));
    assertEquals("hourly_funnel_by_publisher", slug("`hourly_funnel_by_publisher`"));
    assertEquals(
        "what-is-checked-here-and-what-only-on-aws",
        slug("What is checked here, and what only on AWS"));
    assertEquals("see-the-guide", slug("See [the guide](docs/guide.md)"));
    assertEquals("a--b", slug("A – B"));
  }

  @Test
  void theRootIsFoundFromAModuleSubdirectory(@TempDir Path root) throws IOException {
    Files.createDirectories(root.resolve("docs"));
    Files.writeString(root.resolve("README.md"), "# x\n");
    Path module = Files.createDirectories(root.resolve("adlake-cluster/src"));
    Files.writeString(
        root.resolve("adlake-cluster/README.md"), "# a module's own README, no docs/ beside it\n");
    assertEquals(root, repositoryRoot(module));
  }

  /** The nearest directory at or above {@code start} that holds both README.md and docs/. */
  static Path repositoryRoot(Path start) {
    for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("docs"))) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "No directory at or above " + start + " holds both README.md and docs/");
  }

  /** README.md and every docs/*.md, in a stable order. */
  static List<Path> documents(Path root) {
    List<Path> documents = new ArrayList<>(List.of(root.resolve("README.md")));
    try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
      docs.filter(p -> p.getFileName().toString().endsWith(".md") && Files.isRegularFile(p))
          .sorted()
          .forEach(documents::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return documents;
  }

  record Link(Path document, int line, String target) {
    boolean external() {
      return EXTERNAL.matcher(target).find();
    }
  }

  /**
   * The Markdown links of a document, outside fenced code blocks and inline code. A link's text may
   * wrap onto the next line, so links are matched per paragraph (a run of non-blank lines).
   */
  static List<Link> links(Path document) {
    List<Link> links = new ArrayList<>();
    List<String> lines = read(document);
    Optional<String> fence = Optional.empty();
    StringBuilder paragraph = new StringBuilder();
    int paragraphStart = 0;
    for (int i = 0; i <= lines.size(); i++) {
      String line = i < lines.size() ? lines.get(i) : "";
      Matcher opening = FENCE.matcher(line);
      boolean code = fence.isPresent() || opening.find();
      if (code || line.isBlank()) {
        addLinks(document, paragraphStart, paragraph.toString(), links);
        paragraph.setLength(0);
        if (fence.isEmpty() && code) {
          fence = Optional.of(opening.group(1));
        } else if (fence.isPresent() && line.strip().startsWith(fence.get())) {
          fence = Optional.empty();
        }
        continue;
      }
      if (paragraph.length() == 0) {
        paragraphStart = i + 1;
      } else {
        paragraph.append('\n');
      }
      paragraph.append(line);
    }
    return links;
  }

  /**
   * Adds the links of one paragraph that starts at line {@code firstLine}; inline code keeps only
   * its newlines.
   */
  private static void addLinks(Path document, int firstLine, String paragraph, List<Link> links) {
    String text =
        INLINE_CODE.matcher(paragraph).replaceAll(code -> code.group().replaceAll("[^\n]", ""));
    Matcher link = LINK.matcher(text);
    while (link.find()) {
      int line =
          firstLine + (int) text.substring(0, link.start()).chars().filter(c -> c == '\n').count();
      links.add(new Link(document, line, link.group(1)));
    }
  }

  /** One line per broken link: {@code document:line: target: why}. */
  static List<String> brokenLinks(Path root, List<Link> links) {
    Map<Path, Set<String>> anchorsByFile = new HashMap<>();
    List<String> broken = new ArrayList<>();
    for (Link link : links) {
      if (link.external()) {
        continue;
      }
      String where =
          root.relativize(link.document()) + ":" + link.line() + ": " + link.target() + ": ";
      int hash = link.target().indexOf('#');
      String file = hash < 0 ? link.target() : link.target().substring(0, hash);
      String anchor = hash < 0 ? null : link.target().substring(hash + 1);
      Path target =
          file.isEmpty()
              ? link.document()
              : link.document()
                  .getParent()
                  .resolve(URLDecoder.decode(file, StandardCharsets.UTF_8))
                  .normalize();
      if (!Files.exists(target)) {
        broken.add(where + "no such file");
        continue;
      }
      if (anchor == null) {
        continue;
      }
      if (!Files.isRegularFile(target) || !target.getFileName().toString().endsWith(".md")) {
        broken.add(
            where + "an anchor into " + root.relativize(target) + ", which is no Markdown file");
        continue;
      }
      Set<String> anchors = anchorsByFile.computeIfAbsent(target, DocumentLinksTest::anchors);
      if (!anchors.contains(URLDecoder.decode(anchor, StandardCharsets.UTF_8))) {
        broken.add(
            where + "no heading of " + root.relativize(target) + " has the anchor #" + anchor);
      }
    }
    return broken;
  }

  /**
   * The GitHub anchors of a document's headings (ATX and setext), repeated slugs numbered -1, -2, …
   * as GitHub does.
   */
  static Set<String> anchors(Path document) {
    Set<String> anchors = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    List<String> lines = read(document);
    Optional<String> fence = Optional.empty();
    String previous = "";
    for (String line : lines) {
      Matcher opening = FENCE.matcher(line);
      if (fence.isEmpty() && opening.find()) {
        fence = Optional.of(opening.group(1));
        previous = "";
        continue;
      }
      if (fence.isPresent()) {
        if (line.strip().startsWith(fence.get())) {
          fence = Optional.empty();
        }
        continue;
      }
      String heading = null;
      Matcher atx = ATX_HEADING.matcher(line);
      if (atx.matches()) {
        heading = atx.group(2) == null ? "" : atx.group(2);
      } else if (SETEXT_UNDERLINE.matcher(line).matches() && isParagraphLine(previous)) {
        heading = previous.strip();
      }
      if (heading != null) {
        String slug = slug(heading);
        int count = seen.merge(slug, 1, Integer::sum);
        anchors.add(count == 1 ? slug : slug + "-" + (count - 1));
        previous = "";
      } else {
        previous = line;
      }
    }
    return anchors;
  }

  private static boolean isParagraphLine(String line) {
    return !line.isBlank()
        && !ATX_HEADING.matcher(line).matches()
        && !line.strip().startsWith("|")
        && !line.strip().startsWith("-")
        && !line.strip().startsWith("*")
        && !line.strip().startsWith(">");
  }

  /**
   * GitHub's heading anchor: the heading's text (links reduced to their text), lower-cased, every
   * character that is not a letter, digit, space, '-' or '_' removed, each space turned into '-'.
   */
  static String slug(String heading) {
    String text = heading.replaceAll("!?\\[([^\\]]*)]\\([^)]*\\)", "$1");
    StringBuilder slug = new StringBuilder();
    text.toLowerCase(Locale.ROOT)
        .codePoints()
        .forEach(
            c -> {
              if (c == ' ') {
                slug.append('-');
              } else if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                slug.appendCodePoint(c);
              }
            });
    return slug.toString();
  }

  private static List<String> read(Path document) {
    try {
      return Files.readAllLines(document, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
