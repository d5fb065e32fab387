package org.jlivepatch.core.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.jlivepatch.core.fingerprint.Fingerprints;
import org.jlivepatch.core.testing.InMemoryCompiler;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;

class DisassemblerTest {

  private static final String PARSER = """
      package demo;
      public class Parser {
        private int count;
        public synchronized int parse(String s) {
          try {
            switch (s.length()) { case 0: return -1; case 3: return 3; default: break; }
            return s.indexOf("x=\\"1\\"") + (int) 12345678901L + (int) 1.5 + count;
          } catch (IllegalStateException e) {
            return 0;
          } finally {
            count++;
          }
        }
      }
      """;

  private static byte[] compile(String source, String... options) {
    return InMemoryCompiler.compile(Map.of("demo.Parser", source), options).get("demo.Parser");
  }

  private static List<String> parse(byte[] classFile) {
    return Disassembler.ofMethod(classFile, "parse", "(Ljava/lang/String;)I").orElseThrow();
  }

  @Test
  void sameDisassemblyWhenOnlyLineNumbersMove() {
    String shifted = PARSER.replace("public class Parser {", "public class Parser {\n\n  // moved down\n\n");

    assertThat(parse(compile(shifted, "-g"))).isEqualTo(parse(compile(PARSER, "-g")));
    assertThat(Fingerprints.ofClass(compile(shifted, "-g")))
        .isEqualTo(Fingerprints.ofClass(compile(PARSER, "-g")));
  }

  @Test
  void sameDisassemblyWhenTheConstantPoolIsReordered() {
    // A method earlier in the class puts its constants first, so every index in parse moves.
    String reordered = PARSER.replace("private int count;",
        "private int count;\n  String first() { return \"zzz\" + Long.valueOf(98765432100L) + java.util.List.of(); }");
    byte[] before = compile(PARSER, "-g");
    byte[] after = compile(reordered, "-g");

    assertThat(parse(after)).isEqualTo(parse(before));
  }

  @Test
  void sameDisassemblyWithAndWithoutDebugInformation() {
    assertThat(parse(compile(PARSER, "-g:none"))).isEqualTo(parse(compile(PARSER, "-g")));
  }

  @Test
  void sameDisassemblyOfAMethodNodeReadWithDebugInformationAndFrames() {
    byte[] classFile = compile(PARSER, "-g");
    ClassNode node = new ClassNode();
    new ClassReader(classFile).accept(node, 0);
    MethodNode parse = node.methods.stream().filter(m -> m.name.equals("parse")).findFirst().orElseThrow();

    assertThat(Disassembler.ofMethod(parse)).isEqualTo(parse(classFile));
  }

  @Test
  void leavesOutLineNumbersLocalVariablesFramesAndMaxs() {
    String text = String.join("\n", parse(compile(PARSER, "-g")));

    assertThat(text).doesNotContain("LINENUMBER", "LOCALVARIABLE", "FRAME", "MAXSTACK", "MAXLOCALS");
  }

  @Test
  void namesLabelsByPositionFromL0() {
    List<String> labels = parse(compile(PARSER, "-g")).stream().filter(l -> l.matches("L\\d+:")).toList();

    assertThat(labels).isNotEmpty();
    for (int i = 0; i < labels.size(); i++) {
      assertThat(labels.get(i)).isEqualTo("L" + i + ":");
    }
  }

  @Test
  void showsFlagsConstantsAndHandlersReadably() {
    List<String> lines = parse(compile(PARSER, "-g"));

    assertThat(lines.get(0)).isEqualTo("public synchronized parse(Ljava/lang/String;)I");
    assertThat(lines).contains(
        "    LDC \"x=\\\"1\\\"\"",
        "    INVOKEVIRTUAL java/lang/String.indexOf (Ljava/lang/String;)I",
        "    GETFIELD demo/Parser.count : I");
    assertThat(lines).anyMatch(l -> l.matches("    TRYCATCHBLOCK L\\d+ L\\d+ L\\d+ java/lang/IllegalStateException"));
    // A finally block catches anything.
    assertThat(lines).anyMatch(l -> l.matches("    TRYCATCHBLOCK L\\d+ L\\d+ L\\d+ any"));
  }

  @Test
  void differsExactlyWhenTheFingerprintDiffers() {
    String[] variants = {
      PARSER,
      PARSER.replace("return 0;", "return 1;"),
      PARSER.replace("x=\\\"1\\\"", "x=\\\"2\\\""),
      PARSER.replace("case 3: return 3;", "case 4: return 3;"),
      PARSER.replace("public synchronized int parse", "public int parse"),
      PARSER.replace("public class Parser {", "public class Parser {\n\n"),
    };
    for (String a : variants) {
      for (String b : variants) {
        byte[] first = compile(a, "-g");
        byte[] second = compile(b);
        boolean samePrint = Fingerprints.ofClass(first).get("parse(Ljava/lang/String;)I")
            .equals(Fingerprints.ofClass(second).get("parse(Ljava/lang/String;)I"));
        assertThat(parse(first).equals(parse(second))).isEqualTo(samePrint);
      }
    }
  }

  @Test
  void aMissingMethodIsEmpty() {
    assertThat(Disassembler.ofMethod(compile(PARSER), "parse", "()V")).isEmpty();
  }

  @Test
  void rejectsWhatIsNotAClassFile() {
    assertThatThrownBy(() -> Disassembler.ofClass(new byte[] {1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not a readable class file");
  }
}
