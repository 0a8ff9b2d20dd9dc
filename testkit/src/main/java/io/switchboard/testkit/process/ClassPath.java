package io.switchboard.testkit.process;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The class path of this JVM, as a child JVM needs it.
 *
 * <p>{@code java.class.path} is not always the real class path: Surefire may run tests from a
 * manifest-only booter jar, and {@code mvn exec:java} leaves Maven's launcher there. This class
 * takes the URLs of a {@link URLClassLoader} when there is one, and otherwise the entries of {@code
 * java.class.path}, expanding the {@code Class-Path} of a jar whose manifest has one.
 */
public final class ClassPath {
  private ClassPath() {}

  /** The class path that loaded this class (and so the tests and the application under test). */
  public static String current() {
    return of(
        Thread.currentThread().getContextClassLoader() != null
            ? Thread.currentThread().getContextClassLoader()
            : ClassPath.class.getClassLoader());
  }

  /** The class path of {@code loader}. */
  public static String of(ClassLoader loader) {
    Set<String> entries = new LinkedHashSet<>();
    for (ClassLoader l = loader; l != null; l = l.getParent()) {
      if (l instanceof URLClassLoader urls) {
        for (URL url : urls.getURLs()) {
          entries.add(toPath(url).toString());
        }
      }
    }
    for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
      if (!entry.isBlank()) {
        expand(Paths.get(entry), entries);
      }
    }
    if (entries.isEmpty()) {
      throw new IllegalStateException(
          "cannot tell the class path: no URLClassLoader and java.class.path is empty");
    }
    return String.join(File.pathSeparator, entries);
  }

  private static void expand(Path entry, Set<String> into) {
    if (!into.add(entry.toString())) {
      return;
    }
    if (!entry.toString().endsWith(".jar") || !Files.isRegularFile(entry)) {
      return;
    }
    List<Path> referenced = new ArrayList<>();
    try (JarFile jar = new JarFile(entry.toFile())) {
      Manifest manifest = jar.getManifest();
      String classPath =
          manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
      if (classPath == null) {
        return;
      }
      for (String ref : classPath.trim().split("\\s+")) {
        if (ref.isEmpty()) {
          continue;
        }
        URI uri = entry.toUri().resolve(ref);
        referenced.add(Paths.get(uri));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the manifest of " + entry, e);
    } catch (IllegalArgumentException e) {
      return;
    }
    referenced.forEach(p -> expand(p, into));
  }

  private static Path toPath(URL url) {
    try {
      return Paths.get(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("class path entry is not a file: " + url, e);
    }
  }
}
