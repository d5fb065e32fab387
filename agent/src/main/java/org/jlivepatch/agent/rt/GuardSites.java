package org.jlivepatch.agent.rt;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.objectweb.asm.ClassReader;

/**
 * The call sites of guard methods at which a guard frame does not hold its thread: calls that no
 * path from an earlier call of the same invocation reaches, so that nothing, patched or not, has
 * been called in that invocation of the guard yet ({@link #freeCalls}).
 *
 * <p>A caller frame's bytecode index ({@code StackFrame.getByteCodeIndex()}) is the invoke it is
 * executing. Every invoke counts as one that may have run patched code (a virtual call, a helper,
 * a lambda may reach a patched method), so the rule needs no knowledge of the patch and holds for
 * guards the author names. A thread switched at a free call runs the new code from that call on,
 * and ran none of the patch's code earlier in that guard invocation.
 *
 * <p>Analysed per class file the guard's class may be running ({@link #of}); a call is free only if
 * it is free, with the same callee, in every one of them, and the method has no other call of that
 * callee (so a frame whose code was rewritten by an agent after this one, with its indexes moved,
 * cannot match another call of it). What cannot be analysed soundly holds:
 * methods with {@code jsr}/{@code ret}, an unknown opcode, or an {@code ldc} (the JVM widens an
 * {@code ldc} to {@code ldc_w} when a redefinition merges constant pools, which moves the indexes
 * of the running code away from any class file read back or installed), and classes not loaded
 * when the transition starts.
 */
final class GuardSites {

  /** No free calls: every guard frame holds. */
  static final GuardSites NONE = new GuardSites(Map.of());

  /** Guard class, then method key (name and descriptor), then bytecode index to the callee's key. */
  private final Map<Class<?>, Map<String, Map<Integer, String>>> free;

  private GuardSites(Map<Class<?>, Map<String, Map<Integer, String>>> free) {
    this.free = free;
  }

  /**
   * The free calls of the guard methods {@code keys} (name and descriptor) of each class in
   * {@code versions}, whose class files are every version of the class a thread may be running.
   */
  static GuardSites of(Map<Class<?>, List<byte[]>> versions, Map<Class<?>, Collection<String>> keys) {
    Map<Class<?>, Map<String, Map<Integer, String>>> free = new IdentityHashMap<>();
    versions.forEach((type, files) -> {
      Collection<String> methods = keys.get(type);
      if (methods == null || files.isEmpty()) {
        return;
      }
      Map<String, Map<Integer, String>> byMethod = new HashMap<>();
      for (String key : methods) {
        Map<Integer, String> common = null;
        for (byte[] file : files) {
          Map<Integer, String> calls = freeCalls(file, key);
          if (common == null) {
            common = new HashMap<>(calls);
          } else {
            common.entrySet().removeIf(e -> !e.getValue().equals(calls.get(e.getKey())));
          }
        }
        if (common != null && !common.isEmpty()) {
          byMethod.put(key, Map.copyOf(common));
        }
      }
      if (!byMethod.isEmpty()) {
        free.put(type, byMethod);
      }
    });
    return free.isEmpty() ? NONE : new GuardSites(free);
  }

  /**
   * Whether a frame of guard method {@code name}{@code descriptor} of {@code type}, executing the
   * call at {@code bci} into {@code callee} (the next frame towards the top of the stack), is at a
   * free call: nothing called before it in this invocation. Null {@code callee} is never free.
   */
  boolean free(Class<?> type, String name, String descriptor, int bci, String calleeName, String calleeDescriptor) {
    Map<String, Map<Integer, String>> byMethod = free.get(type);
    if (byMethod == null || calleeName == null) {
      return false;
    }
    Map<Integer, String> calls = byMethod.get(name + descriptor);
    if (calls == null) {
      return false;
    }
    String expected = calls.get(bci);
    // The callee confirms that the code at bci is the call analysed: a frame of code read wrongly
    // (bytes the analysis never saw) fails towards holding.
    return expected != null && expected.length() == calleeName.length() + calleeDescriptor.length()
        && expected.startsWith(calleeName) && expected.endsWith(calleeDescriptor);
  }

  /** Whether any call is free: false means every guard frame holds. */
  boolean any() {
    return !free.isEmpty();
  }

  // ---------------------------------------------------------------- the analysis

  /**
   * The free calls of method {@code key} (name and descriptor) of {@code classFile}: bytecode index of
   * each {@code invokevirtual}, {@code invokespecial}, {@code invokestatic} or {@code invokeinterface}
   * that no path from the successor of an invoke (its next instruction, or a handler whose range
   * covers it) reaches and that is the method's only invoke of the method it names, to the key of
   * that method. Empty when the method is absent, has no code, or cannot be analysed soundly.
   */
  static Map<Integer, String> freeCalls(byte[] classFile, String key) {
    Objects.requireNonNull(key, "key");
    try {
      ClassReader reader = new ClassReader(classFile);
      int code = findCode(reader, key);
      if (code < 0) {
        return Map.of();
      }
      Map<Integer, String> free = analyse(reader, classFile, code);
      return free == null ? Map.of() : free;
    } catch (RuntimeException e) { // a class file the reader cannot take: nothing is free
      return Map.of();
    }
  }

  /** Offset of the {@code Code} attribute's content (max_stack) of method {@code key}, or -1. */
  private static int findCode(ClassReader reader, String key) {
    char[] buffer = new char[reader.getMaxStringLength()];
    int offset = reader.header + 6;
    offset += 2 + 2 * reader.readUnsignedShort(offset); // interfaces
    int fields = reader.readUnsignedShort(offset);
    offset += 2;
    for (int i = 0; i < fields; i++) {
      offset = skipAttributes(reader, offset + 6);
    }
    int methods = reader.readUnsignedShort(offset);
    offset += 2;
    for (int i = 0; i < methods; i++) {
      String name = reader.readUTF8(offset + 2, buffer);
      String descriptor = reader.readUTF8(offset + 4, buffer);
      boolean wanted = key.length() == name.length() + descriptor.length() && key.startsWith(name)
          && key.endsWith(descriptor);
      int attributes = reader.readUnsignedShort(offset + 6);
      offset += 8;
      for (int a = 0; a < attributes; a++) {
        int length = reader.readInt(offset + 2);
        if (wanted && reader.readUTF8(offset, buffer).equals("Code")) {
          return offset + 6;
        }
        offset += 6 + length;
      }
      if (wanted) {
        return -1;
      }
    }
    return -1;
  }

  private static int skipAttributes(ClassReader reader, int offset) {
    int count = reader.readUnsignedShort(offset);
    offset += 2;
    for (int a = 0; a < count; a++) {
      offset += 6 + reader.readInt(offset + 2);
    }
    return offset;
  }

  private static final int NOT_ANALYSED = -1;
  private static final int FIXED = 0;

  /** Instruction lengths by opcode; {@link #NOT_ANALYSED} for what the analysis refuses, 0 for variable ones. */
  private static final int[] LENGTH = new int[256];

  static {
    java.util.Arrays.fill(LENGTH, NOT_ANALYSED);
    for (int op = 0x00; op <= 0x0f; op++) {
      LENGTH[op] = 1;
    }
    LENGTH[0x10] = 2; // bipush
    LENGTH[0x11] = 3; // sipush
    // 0x12 ldc: refused, see the class comment
    LENGTH[0x13] = 3; // ldc_w
    LENGTH[0x14] = 3; // ldc2_w
    for (int op = 0x15; op <= 0x19; op++) {
      LENGTH[op] = 2; // loads
    }
    for (int op = 0x1a; op <= 0x35; op++) {
      LENGTH[op] = 1;
    }
    for (int op = 0x36; op <= 0x3a; op++) {
      LENGTH[op] = 2; // stores
    }
    for (int op = 0x3b; op <= 0x83; op++) {
      LENGTH[op] = 1;
    }
    LENGTH[0x84] = 3; // iinc
    for (int op = 0x85; op <= 0x98; op++) {
      LENGTH[op] = 1;
    }
    for (int op = 0x99; op <= 0xa7; op++) {
      LENGTH[op] = 3; // if<cond>, if_<cmp>, goto
    }
    // 0xa8 jsr, 0xa9 ret: refused
    LENGTH[0xaa] = FIXED; // tableswitch
    LENGTH[0xab] = FIXED; // lookupswitch
    for (int op = 0xac; op <= 0xb1; op++) {
      LENGTH[op] = 1; // returns
    }
    for (int op = 0xb2; op <= 0xb8; op++) {
      LENGTH[op] = 3; // fields, invokevirtual, invokespecial, invokestatic
    }
    LENGTH[0xb9] = 5; // invokeinterface
    LENGTH[0xba] = 5; // invokedynamic
    LENGTH[0xbb] = 3; // new
    LENGTH[0xbc] = 2; // newarray
    LENGTH[0xbd] = 3; // anewarray
    LENGTH[0xbe] = 1; // arraylength
    LENGTH[0xbf] = 1; // athrow
    LENGTH[0xc0] = 3; // checkcast
    LENGTH[0xc1] = 3; // instanceof
    LENGTH[0xc2] = 1; // monitorenter
    LENGTH[0xc3] = 1; // monitorexit
    LENGTH[0xc4] = FIXED; // wide
    LENGTH[0xc5] = 4; // multianewarray
    LENGTH[0xc6] = 3; // ifnull
    LENGTH[0xc7] = 3; // ifnonnull
    LENGTH[0xc8] = 5; // goto_w
    // 0xc9 jsr_w: refused
  }

  /** The free calls of the code at {@code attribute} (max_stack), or null if it cannot be analysed. */
  private static Map<Integer, String> analyse(ClassReader reader, byte[] bytes, int attribute) {
    int length = reader.readInt(attribute + 4);
    int start = attribute + 8;
    // Decode: instruction starts, and each instruction's normal successors.
    BitSet starts = new BitSet(length);
    BitSet invokes = new BitSet(length);
    Map<Integer, int[]> jumps = new HashMap<>();
    BitSet ends = new BitSet(length); // no fall-through: goto, returns, athrow, switches
    int pc = 0;
    while (pc < length) {
      int op = bytes[start + pc] & 0xff;
      int size = LENGTH[op];
      if (size == NOT_ANALYSED) {
        return null;
      }
      starts.set(pc);
      if (op == 0xaa || op == 0xab) {
        int pad = (pc + 4) & ~3;
        int base = start + pad;
        List<Integer> targets = new ArrayList<>();
        targets.add(pc + reader.readInt(base));
        if (op == 0xaa) {
          int low = reader.readInt(base + 4);
          int high = reader.readInt(base + 8);
          if (high < low) {
            return null;
          }
          for (long i = 0; i <= (long) high - low; i++) {
            targets.add(pc + reader.readInt(base + 12 + (int) (4 * i)));
          }
          size = pad + 12 + 4 * (high - low + 1) - pc;
        } else {
          int pairs = reader.readInt(base + 4);
          if (pairs < 0) {
            return null;
          }
          for (int i = 0; i < pairs; i++) {
            targets.add(pc + reader.readInt(base + 8 + 8 * i + 4));
          }
          size = pad + 8 + 8 * pairs - pc;
        }
        jumps.put(pc, targets.stream().mapToInt(Integer::intValue).toArray());
        ends.set(pc);
      } else if (op == 0xc4) {
        int widened = bytes[start + pc + 1] & 0xff;
        size = widened == 0x84 ? 6 : 4;
        if (widened == 0xa9) {
          return null; // wide ret
        }
      } else if ((op >= 0x99 && op <= 0xa7) || op == 0xc6 || op == 0xc7) {
        jumps.put(pc, new int[] {pc + reader.readShort(start + pc + 1)});
        if (op == 0xa7) {
          ends.set(pc);
        }
      } else if (op == 0xc8) {
        jumps.put(pc, new int[] {pc + reader.readInt(start + pc + 1)});
        ends.set(pc);
      } else if ((op >= 0xac && op <= 0xb1) || op == 0xbf) {
        ends.set(pc);
      } else if (op >= 0xb6 && op <= 0xba) {
        invokes.set(pc);
      }
      pc += size;
    }
    if (pc != length) {
      return null;
    }
    // Handlers: every instruction in a range may throw to its handler.
    int table = start + length;
    int handlers = reader.readUnsignedShort(table);
    int[][] ranges = new int[handlers][];
    for (int i = 0; i < handlers; i++) {
      int entry = table + 2 + 8 * i;
      ranges[i] = new int[] {reader.readUnsignedShort(entry), reader.readUnsignedShort(entry + 2),
          reader.readUnsignedShort(entry + 4)};
      if (!starts.get(ranges[i][2])) {
        return null;
      }
    }
    // Everything reachable from the successors of an invoke has (maybe) run code called in this invocation.
    BitSet after = new BitSet(length);
    Deque<Integer> work = new ArrayDeque<>();
    for (int at = invokes.nextSetBit(0); at >= 0; at = invokes.nextSetBit(at + 1)) {
      successors(at, length, starts, jumps, ends, ranges, work);
    }
    while (!work.isEmpty()) {
      int at = work.pop();
      if (at < 0 || at >= length || !starts.get(at)) {
        return null; // a branch into the middle of an instruction: not code the analysis understands
      }
      if (!after.get(at)) {
        after.set(at);
        successors(at, length, starts, jumps, ends, ranges, work);
      }
    }
    Map<Integer, String> free = new HashMap<>();
    Map<String, Integer> calls = new HashMap<>();
    char[] buffer = new char[reader.getMaxStringLength()];
    for (int at = invokes.nextSetBit(0); at >= 0; at = invokes.nextSetBit(at + 1)) {
      if ((bytes[start + at] & 0xff) == 0xba) {
        continue; // an invokedynamic's frame below is not the method it names: cannot be confirmed
      }
      int member = reader.getItem(reader.readUnsignedShort(start + at + 1));
      int nameAndType = reader.getItem(reader.readUnsignedShort(member + 2));
      String callee = reader.readUTF8(nameAndType, buffer) + reader.readUTF8(nameAndType + 2, buffer);
      calls.merge(callee, 1, Integer::sum);
      if (!after.get(at)) {
        free.put(at, callee);
      }
    }
    // Only the one call of its method: code inserted by an agent after this one's place (which the
    // class file read here lacks) moves indexes, but cannot make a frame's index and callee match
    // another call of the same method.
    free.values().removeIf(callee -> calls.get(callee) > 1);
    return free;
  }

  private static void successors(int at, int length, BitSet starts, Map<Integer, int[]> jumps, BitSet ends,
      int[][] ranges, Deque<Integer> work) {
    if (!ends.get(at)) {
      work.push(starts.nextSetBit(at + 1) < 0 ? length : starts.nextSetBit(at + 1));
    }
    int[] targets = jumps.get(at);
    if (targets != null) {
      for (int target : targets) {
        work.push(target);
      }
    }
    for (int[] range : ranges) {
      if (at >= range[0] && at < range[1]) {
        work.push(range[2]);
      }
    }
  }
}
