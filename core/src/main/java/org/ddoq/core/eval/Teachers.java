package org.ddoq.core.eval;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.ddoq.core.data.ImageShape;

/**
 * A teacher named by a path, for uses without a test split (distill's nearest decoder choosing
 * among training images): a folder is a built-in teacher's cache entry (what train-teacher
 * trained), a file a TorchScript classifier.
 */
public final class Teachers {
  private Teachers() {}

  /**
   * @throws org.ddoq.core.data.InputException when the path is neither, or does not fit the data
   */
  public static Teacher untested(Path path, List<String> dataClasses, ImageShape shape) {
    return Files.isDirectory(path)
        ? BuiltInTeacher.fromEntry(path, dataClasses.size(), shape)
        : ImportedTeacher.readUntested(path, dataClasses, shape);
  }
}
