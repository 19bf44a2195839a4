package org.ddoq.core.output;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The folder of each class under {@code OUT/images/}: torchvision's ImageFolder takes one folder
 * per class, so two classes must never share one. A class name is kept as it is (any script,
 * spaces, punctuation) except what a file system cannot hold in one path element:
 *
 * <ul>
 *   <li>'/' (the separator), NUL, and ':' (HDFS and Hadoop paths refuse it) become '_';
 *   <li>the names "", "." and ".." become "_", "_." and "_..";
 *   <li>a name over {@value #MAX_BYTES} bytes of UTF-8 (most file systems hold 255) is cut there.
 * </ul>
 *
 * When that makes two classes' folders equal (or a name repeats), the class whose name needed no
 * change keeps it, and the others get "~" and their label appended ("a_b" and "a/b" become {@code
 * a_b} and {@code a_b~1}). {@code manifest.csv} keeps every class's real name.
 */
public final class ClassFolders implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Longest folder name kept, in bytes of UTF-8: 255 minus room for a "~label" suffix. */
  static final int MAX_BYTES = 240;

  private final TreeMap<Integer, String> byLabel;

  private ClassFolders(TreeMap<Integer, String> byLabel) {
    this.byLabel = byLabel;
  }

  /** The folders of classes named {@code names.get(label)}, label 0, 1, .... */
  public static ClassFolders of(List<String> names) {
    Map<Integer, String> byLabel = new TreeMap<>();
    for (int label = 0; label < names.size(); label++) {
      byLabel.put(label, names.get(label));
    }
    return of(byLabel);
  }

  /** The folders of the classes in {@code namesByLabel} (labels need not be contiguous). */
  public static ClassFolders of(Map<Integer, String> namesByLabel) {
    TreeMap<Integer, String> folders = new TreeMap<>();
    Set<String> taken = new HashSet<>();
    // Names that are usable as they are come first, so an escaped name never displaces one.
    for (Map.Entry<Integer, String> e : new TreeMap<>(namesByLabel).entrySet()) {
      String name = e.getValue();
      if (escape(name).equals(name) && taken.add(name)) {
        folders.put(e.getKey(), name);
      }
    }
    for (Map.Entry<Integer, String> e : new TreeMap<>(namesByLabel).entrySet()) {
      if (folders.containsKey(e.getKey())) {
        continue;
      }
      String folder = escape(e.getValue());
      String suffix = "~" + e.getKey();
      for (int n = 2; !taken.add(folder); n++) {
        folder = escape(e.getValue()) + suffix;
        suffix = "~" + e.getKey() + "-" + n;
      }
      folders.put(e.getKey(), folder);
    }
    return new ClassFolders(folders);
  }

  /** The folder of class {@code label}. */
  public String folder(int label) {
    String folder = byLabel.get(label);
    if (folder == null) {
      throw new IllegalArgumentException("no class with label " + label);
    }
    return folder;
  }

  /** Relative path of one distilled image: {@code images/<folder>/<label>_<cluster>.png}. */
  public String imagePath(int label, int cluster) {
    return "images/" + folder(label) + "/" + label + "_" + cluster + ".png";
  }

  /** The name with what a file system cannot hold replaced; may equal another class's. */
  static String escape(String name) {
    String safe = name.replace('/', '_').replace('\0', '_').replace(':', '_');
    if (safe.isEmpty() || safe.equals(".") || safe.equals("..")) {
      return "_" + safe;
    }
    byte[] utf8 = safe.getBytes(StandardCharsets.UTF_8);
    if (utf8.length <= MAX_BYTES) {
      return safe;
    }
    int end = 0;
    int bytes = 0;
    while (end < safe.length()) {
      int cp = safe.codePointAt(end);
      int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (bytes + size > MAX_BYTES) {
        break;
      }
      bytes += size;
      end += Character.charCount(cp);
    }
    return safe.substring(0, end);
  }
}
