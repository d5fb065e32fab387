package org.jlivepatch.core.trampoline;

import java.lang.invoke.CallSite;
import java.lang.invoke.ConstantCallSite;
import java.lang.invoke.LambdaConversionException;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.ConstantDynamic;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Links the lambdas of a hidden class H ({@link Trampolines#LAMBDA_NAME}): takes the static arguments
 * javac gives {@link LambdaMetafactory#metafactory} or {@link LambdaMetafactory#altMetafactory} and
 * defines the lambda's class itself, a hidden nestmate of the caller <em>without</em> the STRONG
 * option the JDK's factory uses. So the class is collected with H once nothing links H any more,
 * where the JDK's would stay, and keep H, as long as C's class loader.
 *
 * <p>The class implements the functional interface, the marker interfaces and the bridges; each of
 * its methods calls the implementation through a method handle of its class data (a dynamic
 * constant, so a constant to the JIT), adapted with {@link MethodHandle#asType} to the instantiated
 * type, then to the method's erased type: the casts, boxing and widening the JDK's factory makes.
 * This also reaches an implementation in a hidden class, which JDK 17's factory calls by class name.
 * A lambda that captures nothing is one instance; a capturing one holds its arguments in final
 * fields. Serializable lambdas are refused (by {@link Trampolines#hidden} already).
 */
public final class LambdaProxies {

  private static final String OBJECT = "java/lang/Object";
  private static final String METHOD_HANDLE_DESC = "Ljava/lang/invoke/MethodHandle;";
  private static final Handle CLASS_DATA_AT = new Handle(Opcodes.H_INVOKESTATIC, "java/lang/invoke/MethodHandles",
      "classDataAt", "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/Class;I)Ljava/lang/Object;",
      false);

  private LambdaProxies() {}

  /**
   * The bootstrap: a call site of type {@code factoryType} (captured arguments to the functional
   * interface) creating lambdas of interface method {@code name}.
   *
   * @param caller the full-privilege lookup of the class holding the call site
   * @param args as javac gives {@code metafactory} ({@code samMethodType, implementation,
   *     instantiatedMethodType}) or {@code altMetafactory} (those, flags, then markers and bridges
   *     as the flags say)
   * @throws LambdaConversionException if the arguments do not describe a lambda this class can make
   */
  public static CallSite link(MethodHandles.Lookup caller, String name, MethodType factoryType, Object... args)
      throws Throwable {
    if (args.length < 3 || !(args[0] instanceof MethodType sam) || !(args[1] instanceof MethodHandle implementation)
        || !(args[2] instanceof MethodType instantiated)) {
      throw new LambdaConversionException("jlivepatch lambda in " + caller.lookupClass().getName()
          + ": static arguments are not (MethodType, MethodHandle, MethodType, ...)");
    }
    Class<?> itf = factoryType.returnType();
    Set<Class<?>> interfaces = new LinkedHashSet<>();
    interfaces.add(itf);
    Set<MethodType> methods = new LinkedHashSet<>();
    methods.add(sam);
    if (args.length > 3) {
      int flags = (Integer) args[3];
      if ((flags & LambdaMetafactory.FLAG_SERIALIZABLE) != 0) {
        throw new LambdaConversionException("jlivepatch lambda " + itf.getName() + "." + name + " in "
            + caller.lookupClass().getName() + " is serializable, which a patch's hidden class cannot support");
      }
      int next = 4;
      if ((flags & LambdaMetafactory.FLAG_MARKERS) != 0) {
        int count = (Integer) args[next++];
        for (int i = 0; i < count; i++) {
          interfaces.add((Class<?>) args[next++]);
        }
      }
      if ((flags & LambdaMetafactory.FLAG_BRIDGES) != 0) {
        int count = (Integer) args[next++];
        for (int i = 0; i < count; i++) {
          methods.add((MethodType) args[next++]);
        }
      }
    }
    for (Class<?> type : interfaces) {
      if (!type.isInterface()) {
        throw new LambdaConversionException("jlivepatch lambda in " + caller.lookupClass().getName() + ": "
            + type.getName() + " is not an interface");
      }
    }
    List<Class<?>> captured = factoryType.parameterList();
    MethodHandle instantiatedImpl = implementation.asFixedArity()
        .asType(instantiated.insertParameterTypes(0, captured));
    List<MethodHandle> classData = new ArrayList<>();
    for (MethodType method : methods) {
      classData.add(instantiatedImpl.asType(method.insertParameterTypes(0, captured)));
    }
    byte[] bytes = proxy(caller.lookupClass(), name, interfaces, captured, methods);
    MethodHandles.Lookup proxy = caller.defineHiddenClassWithClassData(bytes, List.copyOf(classData), true,
        MethodHandles.Lookup.ClassOption.NESTMATE);
    MethodHandle constructor = proxy.findConstructor(proxy.lookupClass(), MethodType.methodType(void.class, captured));
    if (captured.isEmpty()) {
      return new ConstantCallSite(MethodHandles.constant(itf, constructor.invoke()));
    }
    return new ConstantCallSite(constructor.asType(factoryType));
  }

  /** The lambda's class file: named after the caller's nest host, in its package. */
  private static byte[] proxy(Class<?> caller, String name, Set<Class<?>> interfaces, List<Class<?>> captured,
      Set<MethodType> methods) {
    String className = caller.getNestHost().getName().replace('.', '/') + Trampolines.HIDDEN_SUFFIX + "Lambda";
    String[] itfs = interfaces.stream().map(Type::getInternalName).toArray(String[]::new);
    ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
    // Version 55 (Java 11): dynamic constants. No method branches, so no frames are needed.
    writer.visit(Opcodes.V11, Opcodes.ACC_FINAL | Opcodes.ACC_SUPER | Opcodes.ACC_SYNTHETIC, className, null, OBJECT,
        itfs);
    StringBuilder constructorDesc = new StringBuilder("(");
    for (int i = 0; i < captured.size(); i++) {
      String desc = Type.getDescriptor(captured.get(i));
      constructorDesc.append(desc);
      writer.visitField(Opcodes.ACC_PRIVATE | Opcodes.ACC_FINAL, "arg$" + (i + 1), desc, null, null).visitEnd();
    }
    constructorDesc.append(")V");
    MethodVisitor init = writer.visitMethod(Opcodes.ACC_PRIVATE, "<init>", constructorDesc.toString(), null, null);
    init.visitCode();
    init.visitVarInsn(Opcodes.ALOAD, 0);
    init.visitMethodInsn(Opcodes.INVOKESPECIAL, OBJECT, "<init>", "()V", false);
    int slot = 1;
    for (int i = 0; i < captured.size(); i++) {
      Type type = Type.getType(captured.get(i));
      init.visitVarInsn(Opcodes.ALOAD, 0);
      init.visitVarInsn(type.getOpcode(Opcodes.ILOAD), slot);
      init.visitFieldInsn(Opcodes.PUTFIELD, className, "arg$" + (i + 1), type.getDescriptor());
      slot += type.getSize();
    }
    init.visitInsn(Opcodes.RETURN);
    init.visitMaxs(0, 0);
    init.visitEnd();

    int index = 0;
    for (MethodType method : methods) {
      String desc = method.toMethodDescriptorString();
      MethodVisitor code = writer.visitMethod(Opcodes.ACC_PUBLIC, name, desc, null, null);
      code.visitCode();
      code.visitLdcInsn(new ConstantDynamic("_", METHOD_HANDLE_DESC, CLASS_DATA_AT, index++));
      StringBuilder invokeDesc = new StringBuilder("(");
      for (int i = 0; i < captured.size(); i++) {
        String fieldDesc = Type.getDescriptor(captured.get(i));
        invokeDesc.append(fieldDesc);
        code.visitVarInsn(Opcodes.ALOAD, 0);
        code.visitFieldInsn(Opcodes.GETFIELD, className, "arg$" + (i + 1), fieldDesc);
      }
      slot = 1;
      for (Class<?> parameter : method.parameterList()) {
        Type type = Type.getType(parameter);
        invokeDesc.append(type.getDescriptor());
        code.visitVarInsn(type.getOpcode(Opcodes.ILOAD), slot);
        slot += type.getSize();
      }
      Type returned = Type.getType(method.returnType());
      invokeDesc.append(')').append(returned.getDescriptor());
      code.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/invoke/MethodHandle", "invokeExact",
          invokeDesc.toString(), false);
      code.visitInsn(returned.getOpcode(Opcodes.IRETURN));
      code.visitMaxs(0, 0);
      code.visitEnd();
    }
    writer.visitEnd();
    return writer.toByteArray();
  }
}
