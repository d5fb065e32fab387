package org.jlivepatch.core.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.jlivepatch.core.classes.ClassSet;
import org.jlivepatch.core.model.Ignored;
import org.jlivepatch.core.model.Warning;
import org.jlivepatch.core.model.ChangeKind;
import org.junit.jupiter.api.Test;

/**
 * Adjacent releases of real libraries from Maven Central, copied into the build folder by the
 * dependency plugin (see core/pom.xml), folder passed as system property {@code jlp.realJars}.
 */
class RealReleasesTest {

  private static final String ANNOTATIONS_AND_INNER_CLASSES = "annotations and inner-class attributes only: "
      + "frameworks read annotations at startup, so the running JVM keeps acting on the old ones";

  static ClassSet jar(String fileName) throws IOException {
    String folder = System.getProperty("jlp.realJars");
    assertThat(folder).as("system property jlp.realJars (set by surefire in core/pom.xml)").isNotNull();
    try (InputStream in = Files.newInputStream(Path.of(folder, fileName))) {
      return ClassSet.readJar(in);
    }
  }

  @Test
  void spring4ShellFixChangesMethodBodiesOfExactlyOneClass() throws IOException {
    DiffResult result = ClassDiffer.diff(jar("spring-beans-5.3.17.jar"), jar("spring-beans-5.3.18.jar"),
        DiffOptions.ALL);

    assertThat(result.refused()).isEmpty();
    assertThat(result.changed()).isNotEmpty().allSatisfy(m -> {
      assertThat(m.className()).isEqualTo("org.springframework.beans.CachedIntrospectionResults");
      assertThat(m.kind()).isEqualTo(ChangeKind.IN_PLACE);
    });
    // The fix filters class loader and protection domain properties in the constructor.
    assertThat(result.changed()).extracting(ChangedMethod::method).containsExactly("<init>", "introspectInterfaces");
    assertThat(result.classes()).singleElement()
        .satisfies(c -> assertThat(c.name()).isEqualTo("org.springframework.beans.CachedIntrospectionResults"));
    // The rest of the class moved down a few lines.
    assertThat(result.ignored()).isNotEmpty().allSatisfy(i -> assertThat(i.reason()).isEqualTo("line numbers only"));
    assertThat(result.patchable()).isTrue();
  }

  @Test
  void guavaAtomicDoubleArrayFixIsTheOnlyChangedMethod() throws IOException {
    ClassSet old = jar("guava-24.1-jre.jar");
    ClassSet fixed = jar("guava-24.1.1-jre.jar");
    DiffResult result = ClassDiffer.diff(old, fixed, DiffOptions.ALL);

    assertThat(result.changed()).containsExactly(new ChangedMethod("com.google.common.util.concurrent.AtomicDoubleArray",
        "readObject", "(Ljava/io/ObjectInputStream;)V", ChangeKind.IN_PLACE));
    assertThat(result.refused()).isEmpty();
    // Four more classes differ: each gained j2objc's @ReflectionSupport(FULL), with an InnerClasses
    // entry for its Level enum. That is left out, with the reason.
    List<String> differing = old.classes().keySet().stream()
        .filter(name -> !Arrays.equals(old.classes().get(name), fixed.classes().get(name))).toList();
    assertThat(differing).containsExactly("com.google.common.util.concurrent.AbstractFuture",
        "com.google.common.util.concurrent.AggregateFutureState", "com.google.common.util.concurrent.AtomicDouble",
        "com.google.common.util.concurrent.AtomicDoubleArray", "com.google.common.util.concurrent.InterruptibleTask");
    assertThat(result.ignored()).filteredOn(i -> !i.className().endsWith("AtomicDoubleArray"))
        .extracting(Ignored::className, Ignored::reason).containsExactly(
            tuple("com.google.common.util.concurrent.AbstractFuture", ANNOTATIONS_AND_INNER_CLASSES),
            tuple("com.google.common.util.concurrent.AggregateFutureState", ANNOTATIONS_AND_INNER_CLASSES),
            tuple("com.google.common.util.concurrent.AtomicDouble", ANNOTATIONS_AND_INNER_CLASSES),
            tuple("com.google.common.util.concurrent.InterruptibleTask", ANNOTATIONS_AND_INNER_CLASSES));
    // The other methods of AtomicDoubleArray moved lines.
    assertThat(result.ignored()).filteredOn(i -> i.className().endsWith("AtomicDoubleArray") && !i.method().isEmpty())
        .isNotEmpty().allSatisfy(i -> assertThat(i.reason()).isEqualTo("line numbers only"));
    assertThat(result.warnings()).extracting(Warning::message).containsExactly("manifest Build-Jdk differs: "
        + "'1.8.0_112-google-v7' in the old build, '1.8.0_131-google-v7' in the new one: a different compiler can "
        + "change code that the source did not");
  }
}
