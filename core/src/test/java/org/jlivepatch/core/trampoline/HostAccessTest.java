package org.jlivepatch.core.trampoline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jlivepatch.core.trampoline.TrampolinesTest.NONE;
import static org.jlivepatch.core.trampoline.TrampolinesTest.PREFIX;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jlivepatch.core.testing.InMemoryCompiler;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;

/**
 * What only C may do, done from its hidden class H: protected members of a superclass in another
 * run-time package and super calls, reached through {@code host} call sites linked with C's
 * lookup. Run on the JVM with the fixture linker, which links host keys as the agent does.
 */
class HostAccessTest {

  private static final String BASE = """
      package other;
      public class Base {
        protected int counter;
        protected static int created;
        protected String name() { return "base-name"; }
        protected String tag() { return "tag"; }
        protected static String kind() { return "k"; }
        public String describe() { return "Base"; }
      }
      """;
  private static final String SIBLING = "package other; public class Sibling extends Base { }";
  private static final String TITLED = "package other; public interface Titled { default String title() { return \"titled\"; } }";

  private static final String HEIR_V1 = """
      package fx;
      import other.Base;
      import other.Titled;
      public class Heir extends Base implements Titled, Cloneable {
        public String prot(Heir other) { return "v1"; }
        public String sup() { return "v1"; }
        public Object twin() throws CloneNotSupportedException { return null; }
        public Object copy() throws CloneNotSupportedException { return null; }
        public String describe() { return "Heir"; }
        public String title() { return "heir"; }
        protected String name() { return "heir-name"; }
      }
      """;

  private static final String HEIR_V2 = """
      package fx;
      import other.Base;
      import other.Sibling;
      import other.Titled;
      public class Heir extends Base implements Titled, Cloneable {
        public String prot(Heir other) {
          counter++;
          other.counter += 10;
          created++;
          return tag() + "/" + name() + "/" + counter + "/" + other.counter + "/" + kind() + "/" + Sibling.kind()
              + "/" + created + "/" + other.tag();
        }
        public String sup() { return super.describe() + "+" + Titled.super.title() + "+" + super.name() + "+" + describe(); }
        public Object twin() throws CloneNotSupportedException { return super.clone(); }
        public Object copy() throws CloneNotSupportedException { return clone(); }
        public String describe() { return "Heir"; }
        public String title() { return "heir"; }
        protected String name() { return "heir-name"; }
      }
      """;

  private static final String FANCY_V1 = """
      package fx;
      public interface Fancy extends other.Titled { default String fancy() { return "f1"; } }
      """;
  private static final String FANCY_V2 = """
      package fx;
      public interface Fancy extends other.Titled { default String fancy() { return "f2:" + other.Titled.super.title(); } }
      """;
  private static final String FANCY_USER = "package fx; public class FancyUser implements Fancy { public String title() { return \"own\"; } }";

  private static final String PROT = "prot(Lfx/Heir;)Ljava/lang/String;";
  private static final String SUP = "sup()Ljava/lang/String;";
  private static final String TWIN = "twin()Ljava/lang/Object;";
  private static final String COPY = "copy()Ljava/lang/Object;";

  private static Map<String, byte[]> heir(int version) {
    Map<String, String> sources = new HashMap<>();
    sources.put("other.Base", BASE);
    sources.put("other.Sibling", SIBLING);
    sources.put("other.Titled", TITLED);
    sources.put("fx.Heir", version == 1 ? HEIR_V1 : HEIR_V2);
    sources.put("fx.Fancy", version == 1 ? FANCY_V1 : FANCY_V2);
    sources.put("fx.FancyUser", FANCY_USER);
    return InMemoryCompiler.compile(sources, "--release", "17", "-g");
  }

  /** What the agent computes for fx.Heir: protected members of other.Base and java.lang.Object. */
  private static Set<String> heirHostOnly(Map<String, byte[]> classes) throws Exception {
    Set<String> members = new HashSet<>(Trampolines.protectedMembers(classes.get("other.Base")));
    members.addAll(Trampolines.protectedMembers(objectClassFile()));
    return members;
  }

  static byte[] objectClassFile() throws Exception {
    try (var in = Object.class.getResourceAsStream("/java/lang/Object.class")) {
      return in.readAllBytes();
    }
  }

  @Test
  void protectedMembersAreListedFromTheClassFile() throws Exception {
    assertThat(Trampolines.protectedMembers(heir(1).get("other.Base"))).containsExactlyInAnyOrder(
        "counter:I", "created:I", "name()Ljava/lang/String;", "tag()Ljava/lang/String;", "kind()Ljava/lang/String;");
    assertThat(Trampolines.protectedMembers(objectClassFile())).contains("clone()Ljava/lang/Object;", "finalize()V")
        .doesNotContain("<init>()V", "toString()Ljava/lang/String;");
  }

  @Test
  void withoutHostCallSitesAProtectedMemberFailsInTheHiddenClass() throws Throwable {
    // What H did before host call sites: it is C's nestmate, not a subclass of C's superclass.
    Map<String, byte[]> v1 = heir(1);
    byte[] to = heir(2).get("fx.Heir");
    ClassChange change = Trampolines.compare(v1.get("fx.Heir"), to);
    HiddenClass h = Trampolines.hidden(to, change, List.of(PROT), Set.of(), Set.of(), Set.of(), PREFIX);
    Target target = new Target(v1, "fx.Heir", Trampolines.steady(v1.get("fx.Heir"), to, change, Set.of(PROT), h,
        PREFIX), h, PREFIX);
    Object heir = target.newInstance(NONE);
    assertThatThrownBy(() -> target.call(heir, "prot", new Class<?>[] {target.type}, heir))
        .isInstanceOf(IllegalAccessError.class)
        .hasMessageContaining("tried to access protected");
  }

  @Test
  void protectedMembersOfASuperclassInAnotherPackageAreReachedThroughC() throws Throwable {
    Map<String, byte[]> v1 = heir(1);
    Map<String, byte[]> v2 = heir(2);
    byte[] from = v1.get("fx.Heir");
    byte[] to = v2.get("fx.Heir");
    ClassChange change = Trampolines.compare(from, to);
    assertThat(change.changed()).containsExactlyInAnyOrder(PROT, SUP, TWIN, COPY);
    HiddenClass h = Trampolines.hidden(to, change, change.changed(), Set.of(), Set.of(), heirHostOnly(v1), PREFIX);
    Set<String> all = Set.copyOf(change.changed());
    Target target = new Target(v1, "fx.Heir", Trampolines.steady(from, to, change, all, h, PREFIX), h, PREFIX);
    Class<?>[] heirType = {target.type};
    Object heir = target.newInstance(NONE);
    Object other = target.newInstance(NONE);

    // counter, created and tag() are Base's; name() is Heir's own override; kind() static, also through Sibling.
    assertThat(target.call(heir, "prot", heirType, other)).isEqualTo("tag/heir-name/1/10/k/k/1/tag");
    assertThat(target.call(heir, "prot", heirType, heir)).isEqualTo("tag/heir-name/12/12/k/k/2/tag");
    assertThat(target.linked).contains(
        PREFIX + "|host|getfield|fx/Heir|counter|I", PREFIX + "|host|putfield|fx/Heir|counter|I",
        PREFIX + "|host|getstatic|fx/Heir|created|I", PREFIX + "|host|invokevirtual|fx/Heir|tag|()Ljava/lang/String;",
        PREFIX + "|host|invokestatic|fx/Heir|kind|()Ljava/lang/String;",
        PREFIX + "|host|invokestatic|other/Sibling|kind|()Ljava/lang/String;");
    // Heir declares name(): a call through Heir is Heir's own, no host call site.
    assertThat(target.linked).noneMatch(key -> key.contains("|name|"));
  }

  @Test
  void superCallsAreMadeThroughC() throws Throwable {
    Map<String, byte[]> v1 = heir(1);
    Map<String, byte[]> v2 = heir(2);
    byte[] from = v1.get("fx.Heir");
    byte[] to = v2.get("fx.Heir");
    ClassChange change = Trampolines.compare(from, to);
    HiddenClass h = Trampolines.hidden(to, change, change.changed(), Set.of(), Set.of(), heirHostOnly(v1), PREFIX);

    // The gated form, as during a per-thread transition: old bodies in C, new ones in H.
    Target target = new Target(v1, "fx.Heir", Trampolines.gated(from, change.changed(), h, PREFIX), h, PREFIX);
    Object heir = target.newInstance(NONE);
    target.gates(false);
    assertThat(target.call(heir, "sup", NONE)).isEqualTo("v1");
    assertThat(target.call(heir, "twin", NONE)).isNull();
    target.gates(true);
    // super.describe() is Base's, Titled.super.title() the default, super.name() Base's, describe() Heir's.
    assertThat(target.call(heir, "sup", NONE)).isEqualTo("Base+titled+base-name+Heir");
    Object twin = target.call(heir, "twin", NONE);
    assertThat(twin).isNotSameAs(heir).hasSameClassAs(heir);
    Object copy = target.call(heir, "copy", NONE);
    assertThat(copy).isNotSameAs(heir).hasSameClassAs(heir);
    assertThat(target.linked).contains(
        PREFIX + "|host|invokespecial|other/Base|describe|()Ljava/lang/String;",
        PREFIX + "|host|invokespecial|other/Titled|title|()Ljava/lang/String;",
        PREFIX + "|host|invokespecial|other/Base|name|()Ljava/lang/String;",
        PREFIX + "|host|invokespecial|java/lang/Object|clone|()Ljava/lang/Object;",
        // javac names Object for clone(): in H the verifier would want the receiver to be H.
        PREFIX + "|host|invokevirtual|java/lang/Object|clone|()Ljava/lang/Object;");
  }

  @Test
  void anInterfaceDefaultMethodMakesItsSuperCallThroughTheInterface() throws Throwable {
    Map<String, byte[]> v1 = heir(1);
    byte[] from = v1.get("fx.Fancy");
    byte[] to = heir(2).get("fx.Fancy");
    ClassChange change = Trampolines.compare(from, to);
    Set<String> all = Set.copyOf(change.changed());
    HiddenClass h = Trampolines.hidden(to, change, change.changed(), Set.of(), Set.of(), Set.of(), PREFIX);
    Target target = new Target(v1, "fx.Fancy", Trampolines.steady(from, to, change, all, h, PREFIX), h, PREFIX);
    Object user = target.load("fx.FancyUser").getConstructor().newInstance();
    assertThat(target.call(target.type, user, "fancy", NONE)).isEqualTo("f2:titled");
  }

  private static final String NEAR = """
      package fx;
      public class Near {
        protected int seen;
        protected String near() { return "near"; }
        String packaged() { return "pkg"; }
      }
      """;
  private static final String CLOSE_V1 = "package fx; public class Close extends Near { public String use() { return \"v1\"; } }";
  private static final String CLOSE_V2 = """
      package fx;
      public class Close extends Near {
        public String use() { seen++; return near() + seen + packaged(); }
      }
      """;
  private static final String USE = "use()Ljava/lang/String;";

  @Test
  void aSuperclassInTheSameRuntimePackageNeedsNoHost() throws Throwable {
    Map<String, byte[]> v1 = InMemoryCompiler.compile(Map.of("fx.Near", NEAR, "fx.Close", CLOSE_V1));
    byte[] to = InMemoryCompiler.compile(Map.of("fx.Near", NEAR, "fx.Close", CLOSE_V2)).get("fx.Close");
    ClassChange change = Trampolines.compare(v1.get("fx.Close"), to);
    // Same package, same loader: protected and package-private members are H's to use.
    HiddenClass h = Trampolines.hidden(to, change, List.of(USE), Set.of(), Set.of(), Set.of(), PREFIX);
    Target target = new Target(v1, "fx.Close", Trampolines.steady(v1.get("fx.Close"), to, change, Set.of(USE), h,
        PREFIX), h, PREFIX);
    assertThat(target.call(target.newInstance(NONE), "use", NONE)).isEqualTo("near1pkg");
    assertThat(target.linked).noneMatch(key -> key.contains("|host|"));
  }

  @Test
  void aSuperclassOfTheSamePackageNameInAnotherLoaderIsAnotherRuntimePackage() throws Throwable {
    // Near in a parent loader: package fx there is not C's run-time package. Only protected
    // members are usable by C then (package-private ones are not, in C either).
    String closeV1 = "package fx; public class Close extends Near { public String use() { return \"v1\"; } }";
    String closeV2 = "package fx; public class Close extends Near { public String use() { seen++; return near() + seen; } }";
    Map<String, byte[]> base = InMemoryCompiler.compile(Map.of("fx.Near", NEAR));
    byte[] from = InMemoryCompiler.compile(Map.of("fx.Near", NEAR, "fx.Close", closeV1)).get("fx.Close");
    byte[] to = InMemoryCompiler.compile(Map.of("fx.Near", NEAR, "fx.Close", closeV2)).get("fx.Close");
    ClassChange change = Trampolines.compare(from, to);
    ClassLoader parent = new MapLoader(base);

    HiddenClass plain = Trampolines.hidden(to, change, List.of(USE), Set.of(), Set.of(), Set.of(), PREFIX);
    Target failing = new Target(parent, Map.of(), "fx.Close", Trampolines.steady(from, to, change, Set.of(USE), plain,
        PREFIX), plain, PREFIX);
    assertThat(failing.type.getSuperclass().getClassLoader()).isSameAs(parent);
    assertThatThrownBy(() -> failing.call(failing.newInstance(NONE), "use", NONE))
        .isInstanceOf(IllegalAccessError.class);

    Set<String> hostOnly = Trampolines.protectedMembers(base.get("fx.Near"));
    HiddenClass h = Trampolines.hidden(to, change, List.of(USE), Set.of(), Set.of(), hostOnly, PREFIX);
    Target target = new Target(parent, Map.of(), "fx.Close", Trampolines.steady(from, to, change, Set.of(USE), h,
        PREFIX), h, PREFIX);
    assertThat(target.call(target.newInstance(NONE), "use", NONE)).isEqualTo("near1");
  }

  @Test
  void handleConstantsOnWhatOnlyCMayUseAreRefusedByName() throws Exception {
    byte[] from = raw(false, null);
    ClassChange change = Trampolines.compare(from, raw(true, new Handle(Opcodes.H_INVOKEVIRTUAL, "other/Base", "tag",
        "()Ljava/lang/String;", false)));
    Set<String> hostOnly = Set.of("tag()Ljava/lang/String;", "counter:I");
    assertThatThrownBy(() -> Trampolines.hidden(raw(true, new Handle(Opcodes.H_INVOKEVIRTUAL, "other/Base", "tag",
        "()Ljava/lang/String;", false)), change, change.changed(), Set.of(), Set.of(), hostOnly, PREFIX))
        .isInstanceOf(NotMovableException.class)
        .hasMessage("fx/Raw.m()Ljava/lang/Object; cannot run from a hidden class: it takes a method handle on "
            + "other/Base.tag()Ljava/lang/String;, a protected member of a superclass of fx/Raw in another run-time "
            + "package, which the JVM resolves with the hidden class's access; only fx/Raw itself may use it: use a "
            + "lambda that makes the call instead");
    assertThatThrownBy(() -> Trampolines.hidden(raw(true, new Handle(Opcodes.H_GETFIELD, "fx/Raw", "counter", "I",
        false)), change, change.changed(), Set.of(), Set.of(), hostOnly, PREFIX))
        .isInstanceOf(NotMovableException.class)
        .hasMessageContaining("it takes a method handle on fx/Raw.counter:I, a protected member of a superclass");
    assertThatThrownBy(() -> Trampolines.hidden(raw(true, new Handle(Opcodes.H_INVOKESPECIAL, "other/Base",
        "describe", "()Ljava/lang/String;", false)), change, change.changed(), Set.of(), Set.of(), hostOnly, PREFIX))
        .isInstanceOf(NotMovableException.class)
        .hasMessage("fx/Raw.m()Ljava/lang/Object; cannot run from a hidden class: it takes a special method handle "
            + "on other/Base.describe()Ljava/lang/String; (a super call), which the JVM resolves with the hidden "
            + "class's access, and only fx/Raw itself may make it; use a lambda that makes the call instead");
    // A handle on a public method, or on a protected one Raw declares itself, is H's to take.
    Trampolines.hidden(raw(true, new Handle(Opcodes.H_INVOKEVIRTUAL, "java/lang/String", "length", "()I", false)),
        change, change.changed(), Set.of(), Set.of(), hostOnly, PREFIX);
  }

  /** fx.Raw extends other.Base: {@code Object m()} returns null, or loads {@code handle} as a constant. */
  private static byte[] raw(boolean withHandle, Handle handle) {
    ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS | ClassWriter.COMPUTE_FRAMES);
    writer.visit(Opcodes.V17, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, "fx/Raw", null, "other/Base", null);
    MethodVisitor m = writer.visitMethod(Opcodes.ACC_PUBLIC, "m", "()Ljava/lang/Object;", null, null);
    m.visitCode();
    if (withHandle) {
      m.visitLdcInsn(handle);
    } else {
      m.visitInsn(Opcodes.ACONST_NULL);
    }
    m.visitInsn(Opcodes.ARETURN);
    m.visitMaxs(0, 0);
    m.visitEnd();
    writer.visitEnd();
    return writer.toByteArray();
  }

  @Test
  void hostCallSitesCarryTheInstructionAndItsStackEffect() throws Throwable {
    Map<String, byte[]> v1 = heir(1);
    byte[] to = heir(2).get("fx.Heir");
    ClassChange change = Trampolines.compare(v1.get("fx.Heir"), to);
    HiddenClass h = Trampolines.hidden(to, change, List.of(SUP, PROT), Set.of(), Set.of(), heirHostOnly(v1), PREFIX);
    ClassNode node = TrampolinesTest.node(h.bytes());
    Map<String, String> types = new HashMap<>();
    node.methods.forEach(m -> m.instructions.forEach(insn -> {
      if (insn instanceof InvokeDynamicInsnNode indy && ((String) indy.bsmArgs[0]).contains("|host|")) {
        types.put((String) indy.bsmArgs[0], indy.desc);
      }
    }));
    assertThat(types).containsEntry(PREFIX + "|host|getfield|fx/Heir|counter|I", "(Lfx/Heir;)I")
        .containsEntry(PREFIX + "|host|putfield|fx/Heir|counter|I", "(Lfx/Heir;I)V")
        .containsEntry(PREFIX + "|host|getstatic|fx/Heir|created|I", "()I")
        .containsEntry(PREFIX + "|host|putstatic|fx/Heir|created|I", "(I)V")
        .containsEntry(PREFIX + "|host|invokestatic|fx/Heir|kind|()Ljava/lang/String;", "()Ljava/lang/String;")
        .containsEntry(PREFIX + "|host|invokevirtual|fx/Heir|tag|()Ljava/lang/String;", "(Lfx/Heir;)Ljava/lang/String;")
        .containsEntry(PREFIX + "|host|invokespecial|other/Titled|title|()Ljava/lang/String;",
            "(Lfx/Heir;)Ljava/lang/String;");
    assertThat(Trampolines.hostKey("7", Opcodes.INVOKESPECIAL, "p/B", "m", "(I)V")).isEqualTo("7|host|invokespecial|p/B|m|(I)V");
    assertThat(Trampolines.hostOpcode("getstatic")).isEqualTo(Opcodes.GETSTATIC);
    assertThatThrownBy(() -> Trampolines.hostKey("7", Opcodes.NEW, "p/B", "m", "()V"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aHostCallSiteThatCannotResolveFailsAsTheInstructionWouldInC() {
    MethodHandles.Lookup lookup = MethodHandles.lookup();
    assertThatThrownBy(() -> HostAccess.target(lookup, "invokevirtual", "java/lang/String", "nope", "()V",
        MethodType.methodType(void.class, String.class)))
        .isInstanceOf(NoSuchMethodError.class)
        .hasMessageStartingWith("invokevirtual java/lang/String.nope()V as " + HostAccessTest.class.getName() + ": ");
    assertThatThrownBy(() -> HostAccess.target(lookup, "getfield", "java/lang/String", "nope", "I",
        MethodType.methodType(int.class, String.class)))
        .isInstanceOf(NoSuchFieldError.class)
        .hasMessageStartingWith("getfield java/lang/String.nope:I as ");
    assertThatThrownBy(() -> HostAccess.target(lookup, "getfield", "java/lang/String", "value", "[B",
        MethodType.methodType(byte[].class, String.class)))
        .isInstanceOf(IllegalAccessError.class);
    assertThatThrownBy(() -> HostAccess.target(lookup, "invokestatic", "no/Such", "m", "()V",
        MethodType.methodType(void.class)))
        .isInstanceOf(NoClassDefFoundError.class);
  }

  /** A loader defining the given classes itself. */
  static final class MapLoader extends ClassLoader {
    private final Map<String, byte[]> classes;

    MapLoader(Map<String, byte[]> classes) {
      super(MapLoader.class.getClassLoader());
      this.classes = classes;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      byte[] bytes = classes.get(name);
      if (bytes == null) {
        throw new ClassNotFoundException(name);
      }
      return defineClass(name, bytes, 0, bytes.length);
    }
  }
}
