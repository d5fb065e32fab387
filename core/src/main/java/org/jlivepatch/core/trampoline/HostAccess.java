package org.jlivepatch.core.trampoline;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.objectweb.asm.Opcodes;

/**
 * Links the {@code host} call sites of a hidden class H (see {@link Trampolines#hostKey}): the
 * instruction a key names is resolved with the full-privilege lookup of H's nest host C, so it
 * succeeds or fails exactly as it does in C. A protected instance member of a superclass in
 * another package then takes receivers of type C only, as the verifier demands of C's own code.
 */
public final class HostAccess {

  private HostAccess() {}

  /**
   * The target of a host call site.
   *
   * @param caller the lookup the bootstrap method received: H's, or that of another nestmate of C
   * @param opcode the key's instruction mnemonic, e.g. {@code invokespecial}
   * @param owner the instruction's owner, an internal name
   * @param name the member's name
   * @param desc the member's descriptor
   * @param type the call site's type
   * @throws LinkageError as the instruction would throw in C: {@link NoClassDefFoundError},
   *     {@link NoSuchFieldError}, {@link NoSuchMethodError} or {@link IllegalAccessError}
   */
  public static MethodHandle target(MethodHandles.Lookup caller, String opcode, String owner, String name, String desc,
      MethodType type) {
    int op = Trampolines.hostOpcode(opcode);
    Class<?> host = caller.lookupClass().getNestHost();
    String member = owner + "." + name + (op == Opcodes.GETFIELD || op == Opcodes.PUTFIELD
        || op == Opcodes.GETSTATIC || op == Opcodes.PUTSTATIC ? ":" : "") + desc;
    try {
      MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(host, caller);
      if (!lookup.hasFullPrivilegeAccess()) {
        throw new IllegalAccessError("jlivepatch: no full-privilege lookup on " + host.getName() + " from "
            + caller.lookupClass().getName() + " to link " + opcode + " " + member);
      }
      Class<?> refc = lookup.findClass(owner.replace('/', '.'));
      ClassLoader loader = host.getClassLoader();
      MethodHandle target = switch (op) {
        case Opcodes.GETFIELD -> lookup.findGetter(refc, name, fieldType(desc, loader));
        case Opcodes.PUTFIELD -> lookup.findSetter(refc, name, fieldType(desc, loader));
        case Opcodes.GETSTATIC, Opcodes.PUTSTATIC, Opcodes.INVOKESTATIC -> findStatic(lookup, op, refc, name, desc);
        case Opcodes.INVOKEVIRTUAL, Opcodes.INVOKEINTERFACE ->
            lookup.findVirtual(refc, name, MethodType.fromMethodDescriptorString(desc, loader));
        default -> lookup.findSpecial(refc, name, MethodType.fromMethodDescriptorString(desc, loader), host);
      };
      return target.asType(type);
    } catch (ClassNotFoundException | TypeNotPresentException e) {
      throw linkage(new NoClassDefFoundError(message(opcode, member, host, e)), e);
    } catch (NoSuchFieldException e) {
      throw linkage(new NoSuchFieldError(message(opcode, member, host, e)), e);
    } catch (NoSuchMethodException e) {
      throw linkage(new NoSuchMethodError(message(opcode, member, host, e)), e);
    } catch (IllegalAccessException e) {
      throw linkage(new IllegalAccessError(message(opcode, member, host, e)), e);
    }
  }

  /**
   * A static member as C resolves it. The JVM lets C use a protected static member of its superclass
   * named through any subclass of it ({@code Sibling.kind()}); a lookup also wants the class named
   * to be related to C, so on refusal the same resolution is retried from the named class's
   * superclasses: it finds the same member, and initialises the same (declaring) class.
   */
  private static MethodHandle findStatic(MethodHandles.Lookup lookup, int op, Class<?> refc, String name, String desc)
      throws NoSuchFieldException, NoSuchMethodException, IllegalAccessException {
    ClassLoader loader = lookup.lookupClass().getClassLoader();
    IllegalAccessException refused = null;
    for (Class<?> named = refc; named != null; named = named.getSuperclass()) {
      try {
        return switch (op) {
          case Opcodes.GETSTATIC -> lookup.findStaticGetter(named, name, fieldType(desc, loader));
          case Opcodes.PUTSTATIC -> lookup.findStaticSetter(named, name, fieldType(desc, loader));
          default -> lookup.findStatic(named, name, MethodType.fromMethodDescriptorString(desc, loader));
        };
      } catch (IllegalAccessException e) {
        if (refused == null) {
          refused = e;
        }
      }
    }
    throw refused;
  }

  private static Class<?> fieldType(String desc, ClassLoader loader) {
    return MethodType.fromMethodDescriptorString("()" + desc, loader).returnType();
  }

  private static String message(String opcode, String member, Class<?> host, Exception e) {
    return opcode + " " + member + " as " + host.getName() + ": " + e.getMessage();
  }

  private static LinkageError linkage(LinkageError error, Throwable cause) {
    error.initCause(cause);
    return error;
  }
}
