package org.jlivepatch.core.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jlivepatch.core.payload.PayloadException.Reason.CORRUPT;
import static org.jlivepatch.core.payload.PayloadException.Reason.TAMPERED;
import static org.jlivepatch.core.payload.PayloadException.Reason.TOO_LARGE;
import static org.jlivepatch.core.payload.PayloadException.Reason.TRUNCATED;
import static org.jlivepatch.core.payload.PayloadException.Reason.UNSAFE_ENTRY;
import static org.jlivepatch.core.payload.PayloadException.Reason.UNSUPPORTED_VERSION;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.jlivepatch.core.model.ChangeKind;
import org.jlivepatch.core.model.Patch;
import org.jlivepatch.core.model.PatchedClass;
import org.jlivepatch.core.model.PatchedMethod;
import org.jlivepatch.core.payload.PayloadException.Reason;
import org.jlivepatch.core.payload.PayloadFormat.Entry;
import org.jlivepatch.core.testing.InMemoryCompiler;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each limit and each kind of damage gives a {@link PayloadException} with the right reason and a clear line. */
class BadPayloadTest {

  private static final String GREETER_NEW = "new/demo/Greeter.class";
  private static byte[] good;

  @BeforeAll
  static void writeGoodPayload() {
    good = PayloadFixtures.unsigned();
  }

  private static Payload read(byte[] file) throws Exception {
    return read(file, PayloadLimits.DEFAULT);
  }

  private static Payload read(byte[] file, PayloadLimits limits) throws Exception {
    return new PayloadReader(limits).read(new ByteArrayInputStream(file));
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertRefused(byte[] file, Reason reason) {
    return assertRefused(file, PayloadLimits.DEFAULT, reason);
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertRefused(byte[] file, PayloadLimits limits,
      Reason reason) {
    return assertThatThrownBy(() -> read(file, limits))
        .isInstanceOf(PayloadException.class)
        .satisfies(e -> assertThat(((PayloadException) e).reason()).isEqualTo(reason))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("Exception"));
  }

  // --- limits ---

  @Test
  void refusesAFileOverTheTotalLimit() throws Exception {
    read(good, PayloadLimits.DEFAULT.withMaxTotalBytes(good.length));
    assertRefused(good, PayloadLimits.DEFAULT.withMaxTotalBytes(good.length - 1), TOO_LARGE)
        .hasMessage("payload is larger than the limit of " + (good.length - 1) + " bytes");
  }

  @Test
  void stopsReadingAnEndlessStreamAtTheTotalLimit() {
    InputStream endless = new InputStream() {
      @Override
      public int read() {
        return 0;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        return len;
      }
    };
    assertThatThrownBy(() -> new PayloadReader(PayloadLimits.DEFAULT).read(endless))
        .isInstanceOf(PayloadException.class)
        .hasMessage("payload is larger than the limit of 4194304 bytes");
  }

  @Test
  void refusesTooManyEntries() throws Exception {
    int entries = Zips.entries(good).size();
    read(good, PayloadLimits.DEFAULT.withMaxEntries(entries));
    assertRefused(good, PayloadLimits.DEFAULT.withMaxEntries(entries - 1), TOO_LARGE)
        .hasMessage("payload has " + entries + " entries, more than the limit of " + (entries - 1));
  }

  @Test
  void refusesAnEntryOverTheEntryLimit() throws Exception {
    int largest = Zips.entries(good).stream().mapToInt(e -> e.data().length).max().orElseThrow();
    read(good, PayloadLimits.DEFAULT.withMaxEntryBytes(largest));
    assertRefused(good, PayloadLimits.DEFAULT.withMaxEntryBytes(largest - 1), TOO_LARGE)
        .hasMessageContaining("bytes, more than the limit of " + (largest - 1));
  }

  @Test
  void refusesTooManyMethods() throws Exception {
    read(good, PayloadLimits.DEFAULT.withMaxMethods(3));
    assertRefused(good, PayloadLimits.DEFAULT.withMaxMethods(2), TOO_LARGE)
        .hasMessage("payload patches 3 methods, more than the limit of 2");
  }

  @Test
  void refusesAZipBombByItsDeclaredSizeBeforeInflating() throws Exception {
    byte[] bomb = bomb(false);
    assertThat(bomb.length).isLessThan(64 * 1024);
    assertRefused(bomb, TOO_LARGE).hasMessage("entry new/demo/Bomb.class is 16777216 bytes, more than the limit of 1048576");
  }

  @Test
  void stopsInflatingAZipBombThatUnderstatesItsSize() throws Exception {
    assertRefused(bomb(true), TOO_LARGE)
        .hasMessage("entry new/demo/Bomb.class inflates to more than the limit of 1048576 bytes");
  }

  @Test
  void refusesEntriesThatTogetherExceedTheTotalLimit() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      for (int i = 0; i < 5; i++) {
        zip.putNextEntry(new ZipEntry("new/demo/Filler" + i + ".class"));
        zip.write(new byte[1 << 20]);
        zip.closeEntry();
      }
    }
    assertRefused(out.toByteArray(), TOO_LARGE)
        .hasMessage("payload entries add up to more than the limit of 4194304 bytes");
  }

  /** A payload with an extra deflated entry of 16 MiB of zeros; optionally with a lying size in the directory. */
  private static byte[] bomb(boolean understate) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      for (Entry e : Zips.entries(good)) {
        zip.putNextEntry(new ZipEntry(e.name()));
        zip.write(e.data());
        zip.closeEntry();
      }
      zip.putNextEntry(new ZipEntry("new/demo/Bomb.class"));
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 16; i++) {
        zip.write(zeros);
      }
      zip.closeEntry();
    }
    byte[] file = out.toByteArray();
    if (understate) {
      int header = Zips.indexOf(file, "new/demo/Bomb.class", Zips.indexOf(file, "new/demo/Bomb.class", 0) + 1) - 46;
      assertThat(file[header]).isEqualTo((byte) 'P');
      file[header + 24] = 100;
      file[header + 25] = 0;
      file[header + 26] = 0;
      file[header + 27] = 0;
    }
    return file;
  }

  // --- truncation and damage ---

  @Test
  void reportsEveryTruncationAsTruncated() {
    for (int length = 0; length < good.length; length++) {
      byte[] prefix = Arrays.copyOf(good, length);
      assertRefused(prefix, TRUNCATED).hasMessageStartingWith(length == 0 ? "the file is empty" : "the file is truncated");
    }
  }

  @Test
  void refusesAFileThatIsNotAZip() {
    assertRefused("hello, I am not a payload at all".getBytes(StandardCharsets.US_ASCII), CORRUPT)
        .hasMessage("not a jlivepatch payload: not a zip file");
  }

  @Test
  void neverAcceptsADifferentPatchWhateverByteIsFlipped() throws Exception {
    String hash = read(good).contentHash();
    int accepted = 0;
    for (int i = 0; i < good.length; i++) {
      byte[] damaged = good.clone();
      damaged[i] ^= 0x10;
      try {
        Payload payload = read(damaged);
        // Only zip bookkeeping outside the content (time stamps, version fields) may change unnoticed.
        assertThat(payload.contentHash()).as("flip at %d", i).isEqualTo(hash);
        assertThat(PayloadFixtures.write(payload.patch(), Optional.empty())).as("flip at %d", i).isEqualTo(good);
        accepted++;
      } catch (PayloadException e) {
        assertThat(e.getMessage()).doesNotContain("\n");
      }
    }
    assertThat(accepted).isLessThan(good.length / 10);
  }

  @Test
  void answersRandomDamageOnlyWithPayloadExceptions() throws Exception {
    // Several bytes at once, anywhere, in stored and deflated payloads: a reader bug would surface
    // here as another exception type or as a different patch accepted.
    byte[] deflated = deflated(good);
    java.util.Random random = new java.util.Random(20261124);
    for (byte[] original : List.of(good, deflated)) {
      String hash = read(original).contentHash();
      for (int round = 0; round < 3000; round++) {
        byte[] damaged = original.clone();
        int changes = 1 + random.nextInt(6);
        for (int c = 0; c < changes; c++) {
          damaged[random.nextInt(damaged.length)] = (byte) random.nextInt(256);
        }
        try {
          assertThat(read(damaged).contentHash()).isEqualTo(hash);
        } catch (PayloadException expected) {
          assertThat(expected.getMessage()).isNotBlank().doesNotContain("\n");
        }
      }
    }
  }

  private static byte[] deflated(byte[] file) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      for (Entry e : Zips.entries(file)) {
        zip.putNextEntry(new ZipEntry(e.name()));
        zip.write(e.data());
        zip.closeEntry();
      }
    }
    assertThat(read(out.toByteArray()).contentHash()).isEqualTo(read(file).contentHash());
    return out.toByteArray();
  }

  @Test
  void detectsAFlippedByteInEachEntryByItsChecksum() {
    for (Entry e : Zips.entries(good)) {
      byte[] damaged = good.clone();
      int at = Zips.dataOffset(good, e.name()) + e.data().length / 2;
      damaged[at] ^= 1;
      assertRefused(damaged, CORRUPT).hasMessage("entry " + e.name() + " is damaged: its CRC-32 does not match");
    }
  }

  @Test
  void detectsAChangedEntryWhoseChecksumWasFixed() {
    for (Entry e : Zips.entries(good)) {
      if (e.name().equals(PayloadFormat.MANIFEST)) {
        continue;
      }
      List<Entry> entries = Zips.entries(good);
      byte[] data = e.data().clone();
      data[data.length / 2] ^= 1;
      Zips.replace(entries, e.name(), data);
      assertRefused(Zips.zip(entries), TAMPERED).hasMessage("entry " + e.name()
          + " does not match its SHA-256 in the manifest");
    }
  }

  @Test
  void detectsAnAddedEntry() {
    List<Entry> entries = Zips.entries(good);
    entries.add(new Entry("new/demo/Extra.class", new byte[] {1, 2, 3}));
    assertRefused(Zips.zip(entries), TAMPERED).hasMessage("entry new/demo/Extra.class is not listed in the manifest");
  }

  @Test
  void detectsARemovedEntry() {
    List<Entry> entries = Zips.entries(good);
    entries.removeIf(e -> e.name().equals("base/demo/util/Check.class"));
    assertRefused(Zips.zip(entries), TAMPERED)
        .hasMessage("entry base/demo/util/Check.class listed in the manifest is missing");
  }

  @Test
  void refusesAPayloadWhoseFirstEntryIsNotTheManifest() {
    List<Entry> entries = Zips.entries(good);
    entries.add(entries.remove(0));
    assertRefused(Zips.zip(entries), CORRUPT)
        .hasMessage("not a jlivepatch payload: its first entry is not manifest.properties");
  }

  // --- manifest edits ---

  @Test
  void detectsAWrongEntryHashInTheManifest() {
    List<Entry> entries = Zips.entries(good);
    Zips.editManifest(entries, m -> m.put("entry." + GREETER_NEW, "00".repeat(32)));
    assertRefused(Zips.zip(entries), TAMPERED).hasMessage("entry " + GREETER_NEW
        + " does not match its SHA-256 in the manifest");
  }

  @Test
  void detectsAnEditedExpectedFingerprint() {
    List<Entry> entries = Zips.entries(good);
    Zips.editManifest(entries, m -> m.put("class.0.method.1.expected", "0123456789abcdef0123456789abcdef"));
    assertRefused(Zips.zip(entries), CORRUPT).hasMessageStartingWith("class demo.Greeter: method count(I)I in the base "
        + "class has fingerprint ").hasMessageEndingWith(", the manifest records 0123456789abcdef0123456789abcdef");
  }

  @Test
  void detectsAClassSwappedInWithItsHashUpdated() {
    // A forger replaces the new class and fixes the manifest's hash: the recorded fingerprints still catch it.
    Map<String, byte[]> evil = InMemoryCompiler.compile(Map.of("demo.Greeter", "package demo; public class Greeter {\n"
        + "  public String greet(String name) { return \"pwned\"; }\n"
        + "  public int count(int n) { return n + 2; }\n"
        + "  public static String version() { return \"1\"; }\n"
        + "}\n"), "-g");
    List<Entry> entries = Zips.entries(good);
    Zips.replace(entries, GREETER_NEW, evil.get("demo.Greeter"));
    Zips.rehash(entries);
    assertRefused(Zips.zip(entries), CORRUPT).hasMessageStartingWith(
        "class demo.Greeter: method greet(Ljava/lang/String;)Ljava/lang/String; in the new class has fingerprint ");
  }

  @Test
  void detectsAClassFileOfAnotherClass() {
    List<Entry> entries = Zips.entries(good);
    Zips.replace(entries, GREETER_NEW, Zips.data(entries, "new/demo/util/Check.class"));
    Zips.rehash(entries);
    assertRefused(Zips.zip(entries), CORRUPT).hasMessage("class demo.Greeter: the new class file holds class demo.util.Check");
  }

  @Test
  void detectsAnUnknownManifestKey() {
    List<Entry> entries = Zips.entries(good);
    Zips.editManifest(entries, m -> m.put("class.0.method.0.trampoline", "yes"));
    assertRefused(Zips.zip(entries), CORRUPT).hasMessage("unexpected manifest key 'class.0.method.0.trampoline'");
  }

  @Test
  void detectsAMissingManifestKey() {
    List<Entry> entries = Zips.entries(good);
    Zips.editManifest(entries, m -> m.remove("id"));
    assertRefused(Zips.zip(entries), CORRUPT).hasMessage("the manifest has no id");
  }

  @Test
  void detectsAManifestNotInCanonicalForm() {
    List<Entry> entries = Zips.entries(good);
    byte[] manifest = Zips.data(entries, PayloadFormat.MANIFEST);
    Zips.replace(entries, PayloadFormat.MANIFEST,
        ("# edited\n" + new String(manifest, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII));
    assertRefused(Zips.zip(entries), CORRUPT).hasMessage("the manifest is not in canonical form (edited by hand?)");
  }

  @Test
  void detectsARepeatedManifestKey() {
    List<Entry> entries = Zips.entries(good);
    byte[] manifest = Zips.data(entries, PayloadFormat.MANIFEST);
    Zips.replace(entries, PayloadFormat.MANIFEST,
        (new String(manifest, StandardCharsets.US_ASCII) + "id=other\n").getBytes(StandardCharsets.US_ASCII));
    assertRefused(Zips.zip(entries), CORRUPT).hasMessage("the manifest is malformed: key 'id' occurs twice");
  }

  @Test
  void detectsAnUnlistedMethodThatDiffers() throws Exception {
    // An inconsistent builder: count(I)I is changed in the new class but not listed.
    Patch full = PayloadFixtures.patch();
    PatchedClass greeter = full.classes().get(0);
    PatchedClass partial = new PatchedClass(greeter.name(), greeter.baseBytes(), greeter.newBytes(),
        greeter.methods().subList(0, 1));
    Patch patch = new Patch(full.id(), full.description(), full.depends(), full.toolVersion(), full.oldBuild(),
        full.newBuild(), full.minJavaVersion(), List.of(partial), full.hooks(), full.warnings(), full.ignored(),
        full.renamed());
    assertRefused(PayloadFixtures.write(patch, Optional.empty()), CORRUPT).hasMessage("class demo.Greeter: method "
        + "count(I)I differs between the base and new class but is not listed as patched");
  }

  // --- trampolines, shadow fields, added classes, guards (format 2) ---

  private static final String CODEC_NEW = "new/demo/Codec.class";

  /** The trampoline fixture with its single class replaced. */
  private static Patch withCodec(java.util.function.UnaryOperator<PatchedClass> change) {
    Patch full = PayloadFixtures.trampolinePatch();
    return new Patch(full.id(), full.description(), full.depends(), full.toolVersion(), full.oldBuild(),
        full.newBuild(), full.minJavaVersion(), List.of(change.apply(full.classes().get(0))), full.hooks(),
        full.warnings(), full.ignored(), full.renamed(), full.addedClasses(), full.guards());
  }

  @Test
  void detectsAMethodOnlyInTheNewClassThatIsNotListedAsAdded() {
    Patch patch = withCodec(c -> new PatchedClass(c.name(), c.baseBytes(), c.newBytes(),
        c.methods().stream().filter(m -> !m.name().equals("check")).toList(), c.shadowFields()));
    assertRefused(PayloadFixtures.write(patch, Optional.empty()), CORRUPT).hasMessage("class demo.Codec: method "
        + "check(Ljava/lang/String;)I is only in the new class but is not listed as added");
  }

  @Test
  void detectsAMethodListedAsAddedThatTheBaseHas() {
    Patch patch = withCodec(c -> new PatchedClass(c.name(), c.baseBytes(), c.newBytes(), c.methods().stream()
        .map(m -> m.name().equals("decode") ? new PatchedMethod(m.name(), m.descriptor(), ChangeKind.ADDED, "",
            m.newFingerprint()) : m).toList(), c.shadowFields()));
    assertRefused(PayloadFixtures.write(patch, Optional.empty()), CORRUPT).hasMessage("class demo.Codec: method "
        + "decode(Ljava/lang/String;)Ljava/lang/String; is listed as added but the base class has it");
  }

  @Test
  void detectsAnAddedMethodWithAnExpectedFingerprint() {
    List<Entry> entries = Zips.entries(PayloadFixtures.write(PayloadFixtures.trampolinePatch(), Optional.empty()));
    Zips.editManifest(entries, m -> m.put(methodKey(m, "check") + "expected", "0123456789abcdef0123456789abcdef"));
    assertRefused(Zips.zip(entries), CORRUPT).hasMessage("class demo.Codec: added method check(Ljava/lang/String;)I "
        + "has an expected fingerprint, but there is nothing to expect");
  }

  @Test
  void detectsAFieldOnlyInTheNewClassThatIsNotAListedShadowField() {
    Patch patch = withCodec(c -> new PatchedClass(c.name(), c.baseBytes(), c.newBytes(), c.methods(),
        c.shadowFields().subList(1, c.shadowFields().size())));
    assertRefused(PayloadFixtures.write(patch, Optional.empty()), CORRUPT).hasMessage("class demo.Codec: field "
        + "depth:I is only in the new class but is not listed as a shadow field");
  }

  @Test
  void detectsAShadowFieldWhoseStaticFlagWasEdited() {
    List<Entry> entries = Zips.entries(PayloadFixtures.write(PayloadFixtures.trampolinePatch(), Optional.empty()));
    Zips.editManifest(entries, m -> m.put("class.0.shadow.0.static", "true"));
    assertRefused(Zips.zip(entries), CORRUPT).hasMessage("class demo.Codec: shadow field depth:I is listed as static "
        + "but the new class says otherwise");
  }

  @Test
  void detectsAShadowFieldTheNewClassLacks() {
    List<Entry> entries = Zips.entries(PayloadFixtures.write(PayloadFixtures.trampolinePatch(), Optional.empty()));
    Zips.editManifest(entries, m -> m.put("class.0.shadow.0.name", "width"));
    assertRefused(Zips.zip(entries), CORRUPT).hasMessage("class demo.Codec: field depth:I is only in the new class "
        + "but is not listed as a shadow field");
  }

  @Test
  void detectsANewClassThatLostAMethodOrChangedItsHeader() {
    Patch lost = withCodec(c -> new PatchedClass(c.name(), c.baseBytes(), edit(c.newBytes(),
        n -> n.methods.removeIf(m -> m.name.equals("<init>"))), c.methods(), c.shadowFields()));
    assertRefused(PayloadFixtures.write(lost, Optional.empty()), CORRUPT)
        .hasMessage("class demo.Codec: method <init>()V of the base class is missing from the new class");
    Patch header = withCodec(c -> new PatchedClass(c.name(), c.baseBytes(), edit(c.newBytes(),
        n -> n.interfaces.add("java/io/Serializable")), c.methods(), c.shadowFields()));
    assertRefused(PayloadFixtures.write(header, Optional.empty()), CORRUPT).hasMessage("class demo.Codec: the new "
        + "class's version, modifiers, superclass or interfaces differ from the base class's");
  }

  @Test
  void detectsAnAddedClassEntryThatHoldsAnotherClassOrWasChanged() {
    byte[] file = PayloadFixtures.write(PayloadFixtures.trampolinePatch(), Optional.empty());
    List<Entry> entries = Zips.entries(file);
    assertThat(entries).extracting(Entry::name).contains("added/demo/Brackets.class");
    byte[] data = Zips.data(entries, "added/demo/Brackets.class").clone();
    data[data.length / 2] ^= 1;
    Zips.replace(entries, "added/demo/Brackets.class", data);
    assertRefused(Zips.zip(entries), TAMPERED)
        .hasMessage("entry added/demo/Brackets.class does not match its SHA-256 in the manifest");

    List<Entry> swapped = Zips.entries(file);
    Zips.replace(swapped, "added/demo/Brackets.class", Zips.data(swapped, "base/demo/Codec.class"));
    Zips.rehash(swapped);
    assertRefused(Zips.zip(swapped), CORRUPT)
        .hasMessage("class demo.Brackets: the added class file holds class demo.Codec");
  }

  @Test
  void detectsAnAddedClassWhoseHostIsInAnotherPackage() {
    List<Entry> entries = Zips.entries(PayloadFixtures.write(PayloadFixtures.trampolinePatch(), Optional.empty()));
    Zips.editManifest(entries, m -> m.put("added.0.host", "other.Host"));
    assertRefused(Zips.zip(entries), CORRUPT)
        .hasMessage("added class demo.Brackets is not in the package of its host other.Host");
  }

  @Test
  void detectsAnAddedClassEntryTheManifestDoesNotName() {
    List<Entry> entries = Zips.entries(PayloadFixtures.write(PayloadFixtures.trampolinePatch(), Optional.empty()));
    Zips.editManifest(entries, m -> {
      m.remove("added.0.name");
      m.remove("added.0.host");
      m.put("added.count", "0");
    });
    assertRefused(Zips.zip(entries), CORRUPT).hasMessage("the manifest lists entry added/demo/Brackets.class but no "
        + "class, added class or hook of it");
  }

  @Test
  void detectsAGuardWithABadDescriptor() {
    List<Entry> entries = Zips.entries(PayloadFixtures.write(PayloadFixtures.trampolinePatch(), Optional.empty()));
    Zips.editManifest(entries, m -> m.put("guard.0.descriptor", "(Ldemo/Codec;"));
    assertRefused(Zips.zip(entries), CORRUPT)
        .hasMessage("guard demo.Client.roundTrip(Ldemo/Codec; is not a method name and descriptor");
  }

  @Test
  void refusesTrampolinesInAFormatVersion1Manifest() {
    List<Entry> entries = Zips.entries(PayloadFixtures.write(PayloadFixtures.trampolinePatch(), Optional.empty()));
    Zips.editManifest(entries, m -> {
      m.put("format.version", "1");
      m.keySet().removeIf(k -> k.startsWith("added.") || k.startsWith("guard.") || k.contains(".shadow."));
    });
    assertRefused(Zips.zip(entries), CORRUPT)
        .hasMessage("class demo.Codec: change kind 'trampoline' does not exist in payload format version 1");
  }

  /** The manifest key prefix of the method named {@code name} of class 0. */
  private static String methodKey(java.util.SortedMap<String, String> m, String name) {
    return m.entrySet().stream().filter(e -> e.getKey().startsWith("class.0.method.") && e.getKey().endsWith(".name")
        && e.getValue().equals(name)).map(e -> e.getKey().substring(0, e.getKey().length() - "name".length()))
        .findFirst().orElseThrow();
  }

  private static byte[] edit(byte[] classFile, java.util.function.Consumer<org.objectweb.asm.tree.ClassNode> change) {
    org.objectweb.asm.tree.ClassNode node = new org.objectweb.asm.tree.ClassNode();
    new org.objectweb.asm.ClassReader(classFile).accept(node, 0);
    change.accept(node);
    org.objectweb.asm.ClassWriter writer = new org.objectweb.asm.ClassWriter(0);
    node.accept(writer);
    return writer.toByteArray();
  }

  // --- versions ---

  @Test
  void refusesANewerFormatVersionWithADedicatedMessage() {
    List<Entry> entries = Zips.entries(good);
    Zips.editManifest(entries, m -> {
      m.put("format.version", "3");
      m.put("something.new", "v3 only");
    });
    entries.add(new Entry("trampolines/demo/Greeter.class", new byte[] {1}));
    assertRefused(Zips.zip(entries), UNSUPPORTED_VERSION)
        .hasMessage("payload format version 3 is newer than this jlivepatch supports (2); upgrade jlivepatch");
  }

  @Test
  void refusesAnotherFingerprintAlgorithm() {
    List<Entry> entries = Zips.entries(good);
    Zips.editManifest(entries, m -> m.put("fingerprints", "jlp-method-2"));
    assertRefused(Zips.zip(entries), UNSUPPORTED_VERSION).hasMessage(
        "payload uses fingerprint algorithm 'jlp-method-2'; this jlivepatch supports jlp-method-1; upgrade jlivepatch");
  }

  @Test
  void refusesAnUnknownChangeKind() {
    List<Entry> entries = Zips.entries(good);
    Zips.editManifest(entries, m -> m.put("class.0.method.0.kind", "teleport"));
    assertRefused(Zips.zip(entries), UNSUPPORTED_VERSION).hasMessage(
        "class demo.Greeter: change kind 'teleport' is not supported by this jlivepatch; upgrade jlivepatch");
  }

  @Test
  void refusesAPayloadWithoutFormatVersion() {
    List<Entry> entries = Zips.entries(good);
    Zips.editManifest(entries, m -> m.remove("format.version"));
    assertRefused(Zips.zip(entries), CORRUPT).hasMessage("the manifest has no format.version: not a jlivepatch payload");
  }

  // --- unsafe names ---

  @Test
  void refusesUnsafeEntryNames() throws Exception {
    Map<String, String> expected = Map.of(
        "../evil.class", "payload has entry name with '..' '../evil.class'",
        "new/../../evil.class", "payload has entry name with '..' 'new/../../evil.class'",
        "/etc/passwd", "payload has absolute entry name '/etc/passwd'",
        "C:/Windows/evil.class", "payload has absolute entry name 'C:/Windows/evil.class'",
        "new\\demo\\Evil.class", "payload has entry name with a backslash 'new\\demo\\Evil.class'",
        "new//Evil.class", "payload has entry name with an empty path segment 'new//Evil.class'",
        "new/Evil\u0000.class", "payload has entry name with a control character 'new/Evil\\u0000.class'");
    for (Map.Entry<String, String> e : expected.entrySet()) {
      List<Entry> entries = Zips.entries(good);
      entries.add(new Entry(e.getKey(), new byte[] {42}));
      assertRefused(Zips.zip(entries), UNSAFE_ENTRY).hasMessage(e.getValue());
    }
  }

  @Test
  void refusesADuplicateEntryName() {
    List<Entry> entries = Zips.entries(good);
    entries.add(new Entry("new/demo/Greeter.clasX", new byte[] {42}));
    byte[] file = Zips.replaceAll(Zips.zip(entries), "new/demo/Greeter.clasX", GREETER_NEW);
    // The duplicate's CRC is right for its own data, so only the name check can catch it.
    CRC32 crc = new CRC32();
    crc.update(42);
    assertThat(crc.getValue()).isNotZero();
    assertRefused(file, UNSAFE_ENTRY).hasMessage("payload has entry " + GREETER_NEW + " twice");
  }
}
