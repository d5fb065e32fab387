package org.jlivepatch.core.diff;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.objectweb.asm.ClassReader;

/**
 * The methods of two versions of a class whose code is the same, told from the class files' bytes
 * without reading the code into trees: the bytecode and exception table equal once constant-pool
 * indices are resolved to what they name, and the local variable tables and stack map frames equal
 * the same way. Such a method has equal fingerprints in both versions; what can still differ in its
 * code is read here too (line numbers, max stack/locals), the rest from its header, which the differ
 * reads as usual. Of a major release most changed classes differ only so (guava 31.1 to 32.0: 13,500
 * of 14,000 methods), and the differ then reads only the other methods' code.
 *
 * <p>Conservative: anything this does not follow exactly as ASM reads it (type annotations or other
 * attributes in the code, line entries ASM would drop or merge, a {@code goto} that became a
 * {@code goto_w}) leaves the method to the full comparison.
 */
final class CodeMatch {

  /** The line-number verdicts of a method whose code matched. */
  static final byte LINES_EQUAL = 0;
  static final byte LINES_IN_ONE_BUILD = 1;
  static final byte LINES_DIFFER = 2;

  private final boolean[] same;
  private final boolean[] newSame;
  private final byte[] lines;
  private final boolean[] maxDiffers;
  private final boolean[] oldLines;
  private final boolean[] newLines;
  private final int count;
  private final boolean oldHasLines;
  private final boolean newHasLines;
  private final boolean hasLocals;

  private CodeMatch(Builder builder, int methods) {
    this.same = builder.same;
    this.newSame = builder.newSame;
    this.lines = builder.lines;
    this.maxDiffers = builder.maxDiffers;
    this.oldLines = builder.hasLines[0];
    this.newLines = builder.hasLines[1];
    int matched = 0;
    boolean old = false;
    boolean fresh = false;
    for (int i = 0; i < methods; i++) {
      if (same[i]) {
        matched++;
        old |= oldLines[i];
        fresh |= newLines[i];
      }
    }
    this.count = matched;
    this.oldHasLines = old;
    this.newHasLines = fresh;
    this.hasLocals = builder.hasLocals;
  }

  /** Compares the methods of two versions of a class, each with its namesake (same name and descriptor). */
  static CodeMatch of(ClassReader oldReader, byte[] oldBytes, ClassReader newReader, byte[] newBytes) {
    return new Builder(oldReader, oldBytes, newReader, newBytes).build();
  }

  /** Whether the code of the old method at this index matched that of its namesake in the new version. */
  boolean same(int method) {
    return same[method];
  }

  /** Whether the method at this index of the old version, or of the new one, matched. */
  boolean same(int method, boolean old) {
    return old ? same[method] : newSame[method];
  }

  /** How many methods matched. */
  int count() {
    return count;
  }

  /** Whether every method of the old version, or of the new one, matched. */
  boolean all(boolean old) {
    return count == (old ? same.length : newSame.length);
  }

  /** For a matched method (its old index): {@link #LINES_EQUAL}, {@link #LINES_IN_ONE_BUILD} or {@link #LINES_DIFFER}. */
  byte lines(int method) {
    return lines[method];
  }

  /** For a matched method (its old index): whether it has line numbers in the old build, or in the new one. */
  boolean hasLines(int method, boolean old) {
    return old ? oldLines[method] : newLines[method];
  }

  /** For a matched method (its old index): whether its max stack or max locals differ. */
  boolean maxDiffers(int method) {
    return maxDiffers[method];
  }

  /** Whether a matched method has line numbers in the old build, or in the new one. */
  boolean anyLines(boolean old) {
    return old ? oldHasLines : newHasLines;
  }

  /** Whether a matched method has a local variable table (then it has in both builds, equal). */
  boolean anyLocals() {
    return hasLocals;
  }

  private static final byte[] CODE = ascii("Code");
  private static final byte[] LINE_NUMBER_TABLE = ascii("LineNumberTable");
  private static final byte[] LOCAL_VARIABLE_TABLE = ascii("LocalVariableTable");
  private static final byte[] LOCAL_VARIABLE_TYPE_TABLE = ascii("LocalVariableTypeTable");
  private static final byte[] STACK_MAP_TABLE = ascii("StackMapTable");

  private static byte[] ascii(String name) {
    return name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  /** Reads both class files side by side. */
  private static final class Builder {
    private final ClassReader[] readers;
    private final byte[][] bytes;
    private final char[][] buffers;
    private int[][] bootstrapMethods;
    /** Per old constant-pool index, the new index found to hold the same, or 0: code names the same entries often. */
    private final int[] sameAs;
    private boolean[] same;
    private boolean[] newSame;
    private byte[] lines;
    private boolean[] maxDiffers;
    private final boolean[][] hasLines = new boolean[2][];
    private boolean hasLocals;
    /** Per side: instruction index at each code offset, -1 inside an instruction. */
    private int[][] instructionAt = {new int[64], new int[64]};
    private long[][] lineEntries = {new long[16], new long[16]};

    Builder(ClassReader oldReader, byte[] oldBytes, ClassReader newReader, byte[] newBytes) {
      readers = new ClassReader[] {oldReader, newReader};
      bytes = new byte[][] {oldBytes, newBytes};
      buffers = new char[][] {new char[oldReader.getMaxStringLength()], new char[newReader.getMaxStringLength()]};
      sameAs = new int[oldReader.getItemCount()];
    }

    CodeMatch build() {
      int[][] methodOffsets = new int[2][];
      for (int side = 0; side < 2; side++) {
        ClassReader reader = readers[side];
        int offset = reader.header + 6;
        offset += 2 + 2 * reader.readUnsignedShort(offset);
        int fields = reader.readUnsignedShort(offset);
        offset += 2;
        for (int i = 0; i < fields; i++) {
          offset = skipMember(reader, offset);
        }
        int[] methods = new int[reader.readUnsignedShort(offset)];
        offset += 2;
        for (int i = 0; i < methods.length; i++) {
          methods[i] = offset;
          offset = skipMember(reader, offset);
        }
        methodOffsets[side] = methods;
      }
      int[] partners = partners(methodOffsets[0], methodOffsets[1]);
      int methods = methodOffsets[0].length;
      same = new boolean[methods];
      newSame = new boolean[methodOffsets[1].length];
      lines = new byte[methods];
      maxDiffers = new boolean[methods];
      hasLines[0] = new boolean[methods];
      hasLines[1] = new boolean[methods];
      for (int i = 0; i < methods; i++) {
        int partner = partners[i];
        if (partner >= 0) {
          same[i] = sameCode(i, code(methodOffsets[0][i], 0), code(methodOffsets[1][partner], 1));
          newSame[partner] = same[i];
        }
      }
      return new CodeMatch(this, methods);
    }

    /**
     * The index of each old method's namesake (same name and descriptor) among the new methods, -1 if
     * it has none: by position when both tables list the same methods in the same order, else by
     * name (a name and descriptor listed twice, which no valid class file has, pairs nothing).
     */
    private int[] partners(int[] olds, int[] news) {
      int[] partners = new int[olds.length];
      boolean sameOrder = olds.length == news.length;
      for (int i = 0; sameOrder && i < olds.length; i++) {
        sameOrder = sameUtf8(olds[i] + 2, news[i] + 2) && sameUtf8(olds[i] + 4, news[i] + 4);
      }
      if (sameOrder) {
        for (int i = 0; i < olds.length; i++) {
          partners[i] = i;
        }
        return partners;
      }
      Map<String, Integer> newIndex = new HashMap<>();
      for (int j = 0; j < news.length; j++) {
        newIndex.merge(utf8(1, news[j] + 2) + utf8(1, news[j] + 4), j, (first, second) -> -1);
      }
      Map<String, Integer> oldIndex = new HashMap<>();
      for (int i = 0; i < olds.length; i++) {
        oldIndex.merge(utf8(0, olds[i] + 2) + utf8(0, olds[i] + 4), i, (first, second) -> -1);
      }
      for (int i = 0; i < olds.length; i++) {
        String key = utf8(0, olds[i] + 2) + utf8(0, olds[i] + 4);
        Integer partner = newIndex.get(key);
        partners[i] = partner != null && oldIndex.get(key) == i ? partner : -1;
      }
      return partners;
    }

    private static int skipMember(ClassReader reader, int offset) {
      int attributes = reader.readUnsignedShort(offset + 6);
      offset += 8;
      for (int a = 0; a < attributes; a++) {
        offset += 6 + reader.readInt(offset + 2);
      }
      return offset;
    }

    /** Offset of the method's Code attribute (its max_stack), 0 if it has none, -1 if it has two. */
    private int code(int method, int side) {
      ClassReader reader = readers[side];
      int attributes = reader.readUnsignedShort(method + 6);
      int offset = method + 8;
      int code = 0;
      for (int a = 0; a < attributes; a++) {
        if (is(side, offset, CODE)) {
          code = code == 0 ? offset + 6 : -1;
        }
        offset += 6 + reader.readInt(offset + 2);
      }
      return code;
    }

    private boolean sameCode(int method, int oldCode, int newCode) {
      if (oldCode == 0 && newCode == 0) {
        return true; // abstract or native in both: nothing to read but the header
      }
      if (oldCode <= 0 || newCode <= 0) {
        return false;
      }
      ClassReader a = readers[0];
      ClassReader b = readers[1];
      int length = a.readInt(oldCode + 4);
      if (length != b.readInt(newCode + 4) || length <= 0) {
        return false;
      }
      maxDiffers[method] = a.readInt(oldCode) != b.readInt(newCode);
      int oldStart = oldCode + 8;
      int newStart = newCode + 8;
      if (!sameInstructions(oldStart, newStart, length)) {
        return false;
      }
      int oldTable = oldStart + length;
      int newTable = newStart + length;
      int handlers = a.readUnsignedShort(oldTable);
      if (handlers != b.readUnsignedShort(newTable)) {
        return false;
      }
      for (int h = 0; h < handlers; h++) {
        int x = oldTable + 2 + 8 * h;
        int y = newTable + 2 + 8 * h;
        if (!equalBytes(x, y, 6)) {
          return false;
        }
        int oldType = a.readUnsignedShort(x + 6);
        int newType = b.readUnsignedShort(y + 6);
        if ((oldType == 0) != (newType == 0) || oldType != 0 && !sameEntry(oldType, newType)) {
          return false;
        }
      }
      CodeAttributes oldAttributes = codeAttributes(0, oldTable + 2 + 8 * handlers);
      CodeAttributes newAttributes = codeAttributes(1, newTable + 2 + 8 * handlers);
      if (oldAttributes == null || newAttributes == null
          || !sameLocals(oldAttributes.locals, newAttributes.locals, false)
          || !sameLocals(oldAttributes.localTypes, newAttributes.localTypes, true)
          || !sameFrames(oldAttributes.frames, newAttributes.frames)) {
        return false;
      }
      int oldLineCount = lineEntries(0, oldAttributes.lines, length);
      int newLineCount = lineEntries(1, newAttributes.lines, length);
      if (oldLineCount < 0 || newLineCount < 0) {
        return false;
      }
      hasLines[0][method] = oldLineCount > 0;
      hasLines[1][method] = newLineCount > 0;
      if ((oldLineCount > 0) != (newLineCount > 0)) {
        lines[method] = LINES_IN_ONE_BUILD;
      } else if (!Arrays.equals(lineEntries[0], 0, oldLineCount, lineEntries[1], 0, newLineCount)) {
        lines[method] = LINES_DIFFER;
      }
      hasLocals |= oldAttributes.locals != 0 && a.readUnsignedShort(oldAttributes.locals) > 0;
      return true;
    }

    /** Offsets (of their counts) of the code's debug attributes and frames, 0 when absent. */
    private record CodeAttributes(int lines, int locals, int localTypes, int frames) {}

    /** The code's attributes, or null if it has one this class does not follow or one twice. */
    private CodeAttributes codeAttributes(int side, int offset) {
      ClassReader reader = readers[side];
      int count = reader.readUnsignedShort(offset);
      offset += 2;
      int lines = 0;
      int locals = 0;
      int localTypes = 0;
      int frames = 0;
      for (int i = 0; i < count; i++) {
        int content = offset + 6;
        if (is(side, offset, LINE_NUMBER_TABLE) && lines == 0) {
          lines = content;
        } else if (is(side, offset, LOCAL_VARIABLE_TABLE) && locals == 0) {
          locals = content;
        } else if (is(side, offset, LOCAL_VARIABLE_TYPE_TABLE) && localTypes == 0) {
          localTypes = content;
        } else if (is(side, offset, STACK_MAP_TABLE) && frames == 0) {
          frames = content;
        } else {
          return null; // one of them twice, type annotations, StackMap, non-standard attributes
        }
        offset = content + reader.readInt(offset + 2);
      }
      return new CodeAttributes(lines, locals, localTypes, frames);
    }

    /**
     * Compares two code arrays of equal length instruction by instruction: the same opcodes, the
     * constants and members they name equal, every other operand byte for byte. Records each side's
     * instruction index per offset for the line numbers.
     */
    private boolean sameInstructions(int oldStart, int newStart, int length) {
      byte[] a = bytes[0];
      byte[] b = bytes[1];
      if (instructionAt[0].length < length + 1) {
        instructionAt[0] = new int[Math.max(length + 1, 2 * instructionAt[0].length)];
      }
      int[] indexAt = instructionAt[0];
      Arrays.fill(indexAt, 0, length + 1, -1);
      int pc = 0;
      int index = 0;
      while (pc < length) {
        int opcode = a[oldStart + pc] & 0xFF;
        if (opcode != (b[newStart + pc] & 0xFF)) {
          return false;
        }
        int x = oldStart + pc;
        int y = newStart + pc;
        int size;
        switch (opcode) {
          case 18 -> { // ldc
            size = 2;
            if (!sameEntry(a[x + 1] & 0xFF, b[y + 1] & 0xFF)) {
              return false;
            }
          }
          case 19, 20, 178, 179, 180, 181, 182, 183, 184, 187, 189, 192, 193 -> {
            size = 3;
            if (!sameEntry(readers[0].readUnsignedShort(x + 1), readers[1].readUnsignedShort(y + 1))) {
              return false;
            }
          }
          case 185, 186 -> { // invokeinterface (count, 0), invokedynamic (0, 0)
            size = 5;
            if (!sameEntry(readers[0].readUnsignedShort(x + 1), readers[1].readUnsignedShort(y + 1))
                || !equalBytes(x + 3, y + 3, 2)) {
              return false;
            }
          }
          case 197 -> { // multianewarray
            size = 4;
            if (!sameEntry(readers[0].readUnsignedShort(x + 1), readers[1].readUnsignedShort(y + 1))
                || a[x + 3] != b[y + 3]) {
              return false;
            }
          }
          default -> {
            size = plainSize(opcode, oldStart, pc);
            if (size <= 0 || pc + size > length || size > 1 && !equalBytes(x + 1, y + 1, size - 1)) {
              return false;
            }
          }
        }
        indexAt[pc] = index++;
        pc += size;
      }
      if (pc != length) {
        return false;
      }
      if (instructionAt[1].length < length + 1) {
        instructionAt[1] = new int[instructionAt[0].length];
      }
      System.arraycopy(indexAt, 0, instructionAt[1], 0, length + 1);
      return true;
    }

    /** Length of an instruction without constant-pool operands, 0 for an opcode ASM does not read as it is. */
    private int plainSize(int opcode, int codeStart, int pc) {
      if (opcode <= 15 || opcode >= 26 && opcode <= 53 || opcode >= 59 && opcode <= 131
          || opcode >= 133 && opcode <= 152 || opcode >= 172 && opcode <= 177 || opcode == 190 || opcode == 191
          || opcode == 194 || opcode == 195) {
        return 1;
      }
      ClassReader reader = readers[0];
      switch (opcode) {
        case 16, 21, 22, 23, 24, 25, 54, 55, 56, 57, 58, 169, 188:
          return 2;
        case 17, 132, 198, 199:
          return 3;
        case 200, 201:
          return 5;
        case 196: // wide
          return (bytes[0][codeStart + pc + 1] & 0xFF) == 132 ? 6 : 4;
        case 170: { // tableswitch
          int at = codeStart + pc + 4 - (pc & 3);
          int low = reader.readInt(at + 4);
          int high = reader.readInt(at + 8);
          long cases = (long) high - low + 1;
          return cases < 0 || cases > 65536 ? 0 : at + 12 + 4 * (int) cases - (codeStart + pc);
        }
        case 171: { // lookupswitch
          int at = codeStart + pc + 4 - (pc & 3);
          int pairs = reader.readInt(at + 4);
          return pairs < 0 || pairs > 65536 ? 0 : at + 8 + 8 * pairs - (codeStart + pc);
        }
        default:
          if (opcode >= 153 && opcode <= 168) {
            return 3;
          }
          return 0; // an opcode javac does not emit (or ASM's own)
      }
    }

    /**
     * Each side's line entries as the differ's walk of the tree has them (line, then instruction
     * index, in code order), into {@link #lineEntries}; their count, or -1 where ASM would drop or
     * merge an entry (line 0, an offset inside an instruction or past the code, two at one offset).
     */
    private int lineEntries(int side, int table, int length) {
      if (table == 0) {
        return 0;
      }
      ClassReader reader = readers[side];
      int count = reader.readUnsignedShort(table);
      if (lineEntries[side].length < count) {
        lineEntries[side] = new long[Math.max(count, 2 * lineEntries[side].length)];
      }
      long[] entries = lineEntries[side];
      int[] indexAt = instructionAt[side];
      long previousPc = -1;
      boolean sorted = true;
      for (int i = 0; i < count; i++) {
        int pc = reader.readUnsignedShort(table + 2 + 4 * i);
        int line = reader.readUnsignedShort(table + 4 + 4 * i);
        if (line == 0 || pc >= length || indexAt[pc] < 0) {
          return -1;
        }
        sorted &= pc > previousPc;
        previousPc = pc;
        entries[i] = (long) pc << 32 | line;
      }
      if (!sorted) {
        Arrays.sort(entries, 0, count);
        for (int i = 1; i < count; i++) {
          if (entries[i] >>> 32 == entries[i - 1] >>> 32) {
            return -1;
          }
        }
      }
      for (int i = 0; i < count; i++) {
        int pc = (int) (entries[i] >>> 32);
        long line = entries[i] & 0xFFFFFFFFL;
        entries[i] = line << 32 | indexAt[pc];
      }
      return count;
    }

    /** Local variable (type) tables: the same entries with the same names and descriptors (signatures). */
    private boolean sameLocals(int oldTable, int newTable, boolean types) {
      int oldCount = oldTable == 0 ? 0 : readers[0].readUnsignedShort(oldTable);
      int newCount = newTable == 0 ? 0 : readers[1].readUnsignedShort(newTable);
      if (oldCount != newCount) {
        return false;
      }
      for (int i = 0; i < oldCount; i++) {
        int x = oldTable + 2 + 10 * i;
        int y = newTable + 2 + 10 * i;
        if (!equalBytes(x, y, 4) || !equalBytes(x + 8, y + 8, 2) || !sameUtf8(x + 4, y + 4)
            || !sameUtf8(x + 6, y + 6)) {
          return false;
        }
      }
      return true;
    }

    /** Stack map tables: the same frames, classes named in them compared by name. */
    private boolean sameFrames(int oldTable, int newTable) {
      int oldCount = oldTable == 0 ? 0 : readers[0].readUnsignedShort(oldTable);
      int newCount = newTable == 0 ? 0 : readers[1].readUnsignedShort(newTable);
      if (oldCount != newCount) {
        return false;
      }
      int[] at = {oldTable + 2, newTable + 2};
      for (int f = 0; f < oldCount; f++) {
        int type = bytes[0][at[0]] & 0xFF;
        if (type != (bytes[1][at[1]] & 0xFF)) {
          return false;
        }
        at[0]++;
        at[1]++;
        if (type < 64) {
          continue;
        }
        if (type < 128) {
          if (!sameTypes(at, 1)) {
            return false;
          }
          continue;
        }
        if (type < 247) {
          return false; // reserved
        }
        if (!equalBytes(at[0], at[1], 2)) {
          return false;
        }
        at[0] += 2;
        at[1] += 2;
        if (type == 247) {
          if (!sameTypes(at, 1)) {
            return false;
          }
        } else if (type >= 252 && type <= 254) {
          if (!sameTypes(at, type - 251)) {
            return false;
          }
        } else if (type == 255) {
          for (int list = 0; list < 2; list++) {
            int n = readers[0].readUnsignedShort(at[0]);
            if (n != readers[1].readUnsignedShort(at[1])) {
              return false;
            }
            at[0] += 2;
            at[1] += 2;
            if (!sameTypes(at, n)) {
              return false;
            }
          }
        }
      }
      return true;
    }

    private boolean sameTypes(int[] at, int n) {
      for (int i = 0; i < n; i++) {
        int tag = bytes[0][at[0]] & 0xFF;
        if (tag != (bytes[1][at[1]] & 0xFF) || tag > 8) {
          return false;
        }
        at[0]++;
        at[1]++;
        if (tag == 7) { // a class, by constant-pool index
          if (!sameEntry(readers[0].readUnsignedShort(at[0]), readers[1].readUnsignedShort(at[1]))) {
            return false;
          }
        } else if (tag == 8) { // uninitialized, by offset
          if (!equalBytes(at[0], at[1], 2)) {
            return false;
          }
        } else {
          continue;
        }
        at[0] += 2;
        at[1] += 2;
      }
      return true;
    }

    /** Whether two constant-pool entries, one per side, hold the same constant or name the same member. */
    private boolean sameEntry(int oldIndex, int newIndex) {
      ClassReader a = readers[0];
      ClassReader b = readers[1];
      if (oldIndex <= 0 || newIndex <= 0 || oldIndex >= a.getItemCount() || newIndex >= b.getItemCount()) {
        return false;
      }
      if (sameAs[oldIndex] == newIndex) {
        return true;
      }
      if (!sameEntryUncached(oldIndex, newIndex)) {
        return false;
      }
      sameAs[oldIndex] = newIndex;
      return true;
    }

    private boolean sameEntryUncached(int oldIndex, int newIndex) {
      ClassReader a = readers[0];
      ClassReader b = readers[1];
      int x = a.getItem(oldIndex);
      int y = b.getItem(newIndex);
      int tag = bytes[0][x - 1];
      if (tag != bytes[1][y - 1]) {
        return false;
      }
      switch (tag) {
        case 3, 4: // Integer, Float: their bits
          return equalBytes(x, y, 4);
        case 5, 6: // Long, Double
          return equalBytes(x, y, 8);
        case 7, 8, 16: // Class, String, MethodType
          return sameUtf8(x, y);
        case 9, 10, 11: // Fieldref, Methodref, InterfaceMethodref
          return sameEntry(a.readUnsignedShort(x), b.readUnsignedShort(y))
              && sameEntry(a.readUnsignedShort(x + 2), b.readUnsignedShort(y + 2));
        case 12: // NameAndType
          return sameUtf8(x, y) && sameUtf8(x + 2, y + 2);
        case 15: // MethodHandle
          return bytes[0][x] == bytes[1][y] && sameEntry(a.readUnsignedShort(x + 1), b.readUnsignedShort(y + 1));
        case 17, 18: // Dynamic, InvokeDynamic
          return sameBootstrapMethod(a.readUnsignedShort(x), b.readUnsignedShort(y))
              && sameEntry(a.readUnsignedShort(x + 2), b.readUnsignedShort(y + 2));
        default:
          return false;
      }
    }

    private boolean sameBootstrapMethod(int oldIndex, int newIndex) {
      if (bootstrapMethods == null) {
        bootstrapMethods = new int[][] {bootstrapMethods(0), bootstrapMethods(1)};
      }
      if (oldIndex >= bootstrapMethods[0].length || newIndex >= bootstrapMethods[1].length) {
        return false;
      }
      int x = bootstrapMethods[0][oldIndex];
      int y = bootstrapMethods[1][newIndex];
      ClassReader a = readers[0];
      ClassReader b = readers[1];
      int arguments = a.readUnsignedShort(x + 2);
      if (arguments != b.readUnsignedShort(y + 2) || !sameEntry(a.readUnsignedShort(x), b.readUnsignedShort(y))) {
        return false;
      }
      for (int i = 0; i < arguments; i++) {
        if (!sameEntry(a.readUnsignedShort(x + 4 + 2 * i), b.readUnsignedShort(y + 4 + 2 * i))) {
          return false;
        }
      }
      return true;
    }

    /** Offsets of the entries of the class's BootstrapMethods attribute. */
    private int[] bootstrapMethods(int side) {
      ClassReader reader = readers[side];
      int offset = reader.header + 6;
      offset += 2 + 2 * reader.readUnsignedShort(offset);
      for (int table = 0; table < 2; table++) {
        int count = reader.readUnsignedShort(offset);
        offset += 2;
        for (int i = 0; i < count; i++) {
          offset = skipMember(reader, offset);
        }
      }
      int attributes = reader.readUnsignedShort(offset);
      offset += 2;
      for (int i = 0; i < attributes; i++) {
        if (utf8(side, offset).equals("BootstrapMethods")) {
          int count = reader.readUnsignedShort(offset + 6);
          int[] entries = new int[count];
          int at = offset + 8;
          for (int e = 0; e < count; e++) {
            entries[e] = at;
            at += 4 + 2 * reader.readUnsignedShort(at + 2);
          }
          return entries;
        }
        offset += 6 + reader.readInt(offset + 2);
      }
      return new int[0];
    }

    private boolean equalBytes(int x, int y, int length) {
      if (length > 8) {
        return Arrays.equals(bytes[0], x, x + length, bytes[1], y, y + length);
      }
      byte[] a = bytes[0];
      byte[] b = bytes[1];
      for (int i = 0; i < length; i++) {
        if (a[x + i] != b[y + i]) {
          return false;
        }
      }
      return true;
    }

    /** The string of the Utf8 entry whose index is at {@code offset}; the reader keeps the strings it decoded. */
    private String utf8(int side, int offset) {
      return String.valueOf(readers[side].readUTF8(offset, buffers[side]));
    }

    /**
     * Whether the Utf8 entries whose indices are at these offsets, one per side, hold the same bytes:
     * then the same string, and nothing is decoded. (Two encodings of one string compare unequal,
     * which only leaves a method to the full comparison.)
     */
    private boolean sameUtf8(int oldOffset, int newOffset) {
      int oldIndex = readers[0].readUnsignedShort(oldOffset);
      int newIndex = readers[1].readUnsignedShort(newOffset);
      if (oldIndex == 0 || newIndex == 0 || oldIndex >= readers[0].getItemCount()
          || newIndex >= readers[1].getItemCount()) {
        return false;
      }
      if (sameAs[oldIndex] == newIndex) {
        return true;
      }
      int x = readers[0].getItem(oldIndex);
      int y = readers[1].getItem(newIndex);
      if (bytes[0][x - 1] != 1 || bytes[1][y - 1] != 1) {
        return false;
      }
      int length = readers[0].readUnsignedShort(x);
      if (length != readers[1].readUnsignedShort(y) || !equalBytes(x + 2, y + 2, length)) {
        return false;
      }
      sameAs[oldIndex] = newIndex;
      return true;
    }

    /** Whether the Utf8 entry whose index is at {@code offset} holds exactly these (ASCII) bytes. */
    private boolean is(int side, int offset, byte[] name) {
      ClassReader reader = readers[side];
      int index = reader.readUnsignedShort(offset);
      if (index == 0 || index >= reader.getItemCount()) {
        return false;
      }
      int item = reader.getItem(index);
      return bytes[side][item - 1] == 1 && reader.readUnsignedShort(item) == name.length
          && Arrays.equals(bytes[side], item + 2, item + 2 + name.length, name, 0, name.length);
    }
  }
}
