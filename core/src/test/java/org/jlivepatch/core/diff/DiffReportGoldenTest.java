package org.jlivepatch.core.diff;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import org.jlivepatch.core.classes.ClassSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The differ's whole report on real release pairs, pinned: every entry of every list of the
 * {@link DiffResult} (changed methods, ignored differences with their reasons, refusals, warnings,
 * renames, guards) and the bytes of every patched and added class, rendered to text and hashed.
 * The hashes were taken before the differ's speed work (session 4), so an optimisation that changes
 * any verdict, reason or byte fails here. On a failure the rendered report is written to
 * {@code target/diff-reports/} for a textual diff against one made by the earlier code.
 */
class DiffReportGoldenTest {

  @ParameterizedTest
  @CsvSource({
      // A major release: 1,832 classes differ, 13,675 methods only in non-semantic ways.
      "guava-31.1-jre.jar, guava-32.0.0-jre.jar, 472, 13675, 155, 80, 53, 309, 11, 0, 71a9eb227166039acc5238253f31dad0b214929fed6587c329a29b3d6bdd906b",
      // A patch release: 10 classes differ.
      "guava-32.0.0-jre.jar, guava-32.0.1-jre.jar, 8, 56, 3, 2, 0, 1, 2, 0, 62f409847ee71abda1bfcc34d8e3fd6f5d89093d98c8c1aef3311f43be870881",
      "guava-24.1-jre.jar, guava-24.1.1-jre.jar, 1, 18, 0, 1, 0, 1, 0, 0, 4dd3ed3adbece5ea1db3d39575679f9e0ce69fc88ddc91fbf4d6ef1ba89aa893",
      "spring-beans-5.3.17.jar, spring-beans-5.3.18.jar, 2, 19, 0, 0, 0, 1, 0, 0, 45c6991df66d266194d596e03f0d24192cf6af06b4c9367c6a779dd998ebd365"})
  void reportIsExactlyWhatItWas(String oldJar, String newJar, int changed, int ignored, int refused, int warnings,
      int renamed, int classes, int addedClasses, int guards, String golden) throws IOException {
    DiffResult result = ClassDiffer.diff(RealReleasesTest.jar(oldJar), RealReleasesTest.jar(newJar), DiffOptions.ALL);
    String report = render(result);
    String digest = sha256(report.getBytes(StandardCharsets.UTF_8));
    if (!digest.equals(golden)) {
      Path out = Path.of("target", "diff-reports", oldJar + "-to-" + newJar + ".txt");
      Files.createDirectories(out.getParent());
      Files.writeString(out, report);
    }
    assertThat(new int[] {result.changed().size(), result.ignored().size(), result.refused().size(),
        result.warnings().size(), result.renamed().size(), result.classes().size(), result.addedClasses().size(),
        result.guards().size()}).containsExactly(changed, ignored, refused, warnings, renamed, classes, addedClasses,
        guards);
    assertThat(digest).as("digest of the whole report (written to target/diff-reports/ on a mismatch)")
        .isEqualTo(golden);
  }

  /** Every record component, recursively; lists one entry a line; byte arrays by their SHA-256. */
  static String render(Object value) {
    StringBuilder out = new StringBuilder();
    render(value, out);
    return out.toString();
  }

  private static void render(Object value, StringBuilder out) {
    if (value instanceof byte[] bytes) {
      out.append("sha256:").append(sha256(bytes));
    } else if (value instanceof Collection<?> list) {
      out.append("[\n");
      for (Object element : list) {
        render(element, out);
        out.append('\n');
      }
      out.append(']');
    } else if (value != null && value.getClass().isRecord()) {
      out.append(value.getClass().getSimpleName()).append('(');
      for (RecordComponent component : value.getClass().getRecordComponents()) {
        out.append(component.getName()).append('=');
        try {
          render(component.getAccessor().invoke(value), out);
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
        out.append("; ");
      }
      out.append(')');
    } else {
      out.append(value);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
