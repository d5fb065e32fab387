package org.jlivepatch.core.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DiffOptionsTest {

  @Test
  void allCoversEverything() {
    assertThat(DiffOptions.ALL.covers("a.b.C$1")).isTrue();
  }

  @Test
  void starStaysInOnePackageAndDoubleStarCrossesPackages() {
    DiffOptions one = new DiffOptions(List.of("com.example.*"), List.of());
    assertThat(one.covers("com.example.Foo")).isTrue();
    assertThat(one.covers("com.example.sub.Foo")).isFalse();
    assertThat(one.covers("com.examples.Foo")).isFalse();
    DiffOptions deep = new DiffOptions(List.of("com.example.**"), List.of());
    assertThat(deep.covers("com.example.sub.Foo")).isTrue();
    assertThat(new DiffOptions(List.of("com.example.F?o"), List.of()).covers("com.example.Foo")).isTrue();
  }

  @Test
  void aClassBringsItsNestedClasses() {
    DiffOptions options = new DiffOptions(List.of("com.example.Foo"), List.of());
    assertThat(options.covers("com.example.Foo")).isTrue();
    assertThat(options.covers("com.example.Foo$1")).isTrue();
    assertThat(options.covers("com.example.Foo$Bar$2")).isTrue();
    assertThat(options.covers("com.example.FooBar")).isFalse();
    assertThat(options.covers("com.example.Foo$Bar".replace("Foo$", "Fo$"))).isFalse();
  }

  @Test
  void excludesWinOverIncludes() {
    DiffOptions options = new DiffOptions(List.of("com.**"), List.of("com.example.Generated*"));
    assertThat(options.covers("com.example.Service")).isTrue();
    assertThat(options.covers("com.example.GeneratedMapper")).isFalse();
    assertThat(options.covers("com.example.GeneratedMapper$1")).isFalse();
    assertThat(options.covers("org.Other")).isFalse();
  }

  @Test
  void dollarAndDotAreLiteral() {
    DiffOptions options = new DiffOptions(List.of("a.B$Inner"), List.of());
    assertThat(options.covers("a.B$Inner")).isTrue();
    assertThat(options.covers("a.B$Inner$1")).isTrue();
    assertThat(options.covers("aXB$Inner")).isFalse();
    assertThat(options.covers("a.B")).isFalse();
  }

  @Test
  void rejectsAnEmptyGlob() {
    assertThatThrownBy(() -> new DiffOptions(List.of(""), List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("empty class glob");
  }
}
