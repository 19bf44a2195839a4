package org.ddoq.core.data;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.SerializableConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the torchvision ImageFolder layout {@code DIR/<class>/<image files>} from any Hadoop file
 * system.
 *
 * <p>Classes are the sub-folder names sorted; label i is the i-th. Files are taken from each class
 * folder and its sub-folders, with the extensions in {@link #IMAGE_EXTENSIONS}; ids follow (class,
 * relative path) order, so they are the same on every run over the same files. Symbolic links are
 * followed at most once per real folder ({@link VisitedFolders}): a link loop or a second link to a
 * folder is skipped with the reason, so no image is read twice; a link whose target is gone is
 * named ({@link DanglingLinks}). A folder whose name starts with "." or "_" is a class like any
 * other when it holds image files (torchvision's ImageFolder takes every sub-folder); without image
 * files (e.g. {@code .ipynb_checkpoints}) it is skipped with a warning naming it, where torchvision
 * would refuse the empty class.
 *
 * <p>The driver only lists paths; executors decode. Every image is converted to the target shape
 * (grey or RGB, antialiased bilinear resize); without a target, the first decodable image's size is
 * used, with 1 channel if it is grey and 3 otherwise. Decoded rows are persisted (MEMORY_AND_DISK)
 * so counting the skipped files and then using the rows decodes once.
 *
 * <p>Skipped, and listed in {@link ImageDataset#skipped()} with a reason: empty, corrupt or
 * undecodable image files; files with other extensions and loose files in DIR (ignored, not read).
 * Refused with {@link InputException} before any decoding: a missing DIR, no class folders, a class
 * folder without image files (torchvision refuses those too); after decoding: a class none of whose
 * images decode.
 */
public final class ImageFolderReader {
  private static final Logger LOG = LoggerFactory.getLogger(ImageFolderReader.class);

  /** File extensions read as images (lower case, compared case-insensitively). */
  public static final Set<String> IMAGE_EXTENSIONS =
      Set.of("png", "jpg", "jpeg", "bmp", "gif", "tif", "tiff");

  // Files per Spark task: enough to amortise task start-up, small enough to spread over the cores.
  private static final int FILES_PER_SLICE = 2000;

  private ImageFolderReader() {}

  /**
   * Lists, decodes and checks the images under {@code dir}.
   *
   * @param targetOrNull the shape to convert every image to, or null to take it from the first
   *     image
   * @throws InputException for a missing folder, no class folders, or an empty class (message says
   *     which)
   */
  public static ImageDataset read(SparkSession spark, String dir, ImageShape targetOrNull) {
    try {
      Path root = new Path(dir);
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      List<ImageFile> files = new ArrayList<>();
      List<ImageDataset.Skipped> ignored = new ArrayList<>();
      List<String> classNames = list(fs, root, files, ignored);
      SerializableConfiguration conf =
          new SerializableConfiguration(spark.sparkContext().hadoopConfiguration());
      long maxPixels = ImageLimits.maxPixels(conf.value());
      ImageShape shape =
          targetOrNull != null ? targetOrNull : firstImageShape(conf, files, maxPixels);
      return decodeAll(spark, conf, root, files, classNames, shape, maxPixels, ignored);
    } catch (IOException e) {
      throw StorageErrors.explain(dir, "listing", e);
    }
  }

  /** Fills {@code files} in id order and {@code ignored}; returns the class names. */
  private static List<String> list(
      FileSystem fs, Path root, List<ImageFile> files, List<ImageDataset.Skipped> ignored)
      throws IOException {
    if (!fs.exists(root)) {
      throw new InputException(
          "input path " + root + " does not exist; check the path and that it is readable");
    }
    if (!fs.getFileStatus(root).isDirectory()) {
      throw new InputException(
          root
              + " is a file; give the folder that holds one sub-folder per class"
              + " ("
              + root.getName()
              + "/<class>/<image files>)");
    }
    VisitedFolders visited = new VisitedFolders(fs);
    visited.enter(root);
    ignored.addAll(DanglingLinks.in(fs, root));
    FileStatus[] entries = fs.listStatus(root);
    Arrays.sort(entries, Comparator.comparing(s -> s.getPath().getName()));
    List<String> classNames = new ArrayList<>();
    List<String> emptyClasses = new ArrayList<>();
    for (FileStatus entry : entries) {
      String name = entry.getPath().getName();
      if (!entry.isDirectory()) {
        ignored.add(
            new ImageDataset.Skipped(
                entry.getPath().toString(),
                "ignored: a file directly in "
                    + root
                    + " belongs to no class; move it into a class folder "
                    + root
                    + "/<class>/ if it is an image"));
      } else if (!visited.enter(entry.getPath())) {
        ignored.add(alreadyRead(visited, entry.getPath()));
      } else {
        int label = classNames.size();
        List<ImageFile> classFiles = new ArrayList<>();
        List<ImageDataset.Skipped> classIgnored = new ArrayList<>();
        listClass(
            fs, entry.getPath(), label, files.size(), name, classFiles, classIgnored, visited);
        if (classFiles.isEmpty() && isHidden(name)) {
          ignored.add(hiddenWithoutImages(entry.getPath()));
          continue;
        }
        if (classFiles.isEmpty()) {
          emptyClasses.add(entry.getPath().toString());
        }
        classNames.add(name);
        files.addAll(classFiles);
        ignored.addAll(classIgnored);
      }
    }
    if (classNames.isEmpty()) {
      throw new InputException(
          root
              + " has no class sub-folders; expected "
              + root
              + "/<class>/<image files>"
              + " (e.g. "
              + root
              + "/cat/001.png), one folder per class");
    }
    if (!emptyClasses.isEmpty()) {
      throw new InputException(
          "class folder "
              + String.join(", ", emptyClasses)
              + " contains no image files ("
              + String.join(", ", IMAGE_EXTENSIONS.stream().sorted().toList())
              + "); add images to it or remove it"
              + " (an empty class cannot be distilled; torchvision's ImageFolder refuses it too)");
    }
    return List.copyOf(classNames);
  }

  /** Adds the class folder's image files sorted by relative path, ids from {@code firstId}. */
  private static void listClass(
      FileSystem fs,
      Path classDir,
      int label,
      long firstId,
      String className,
      List<ImageFile> files,
      List<ImageDataset.Skipped> ignored,
      VisitedFolders visited)
      throws IOException {
    List<Path> paths = new ArrayList<>();
    addFiles(fs, classDir, paths, ignored, visited);
    paths.sort(Comparator.comparing(Path::toString));
    for (Path p : paths) {
      String name = p.getName();
      int dot = name.lastIndexOf('.');
      String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
      if (IMAGE_EXTENSIONS.contains(ext)) {
        files.add(new ImageFile(firstId + files.size(), label, className, p.toString()));
      } else {
        ignored.add(
            new ImageDataset.Skipped(
                p.toString(),
                "ignored: not an image file name (extension '"
                    + ext
                    + "'); only "
                    + IMAGE_EXTENSIONS.stream().sorted().toList()
                    + " are read, rename it if it is one"));
      }
    }
  }

  /**
   * Adds every file under {@code dir}, sub-folders included. listStatus, not listFiles: on the
   * local file system without Hadoop's native library, listFiles builds a LocatedFileStatus per
   * file, whose permission lookup forks `ls -ld` (org.apache.hadoop.fs.RawLocalFileSystem); listing
   * CIFAR-10's 50,000 files that way took over 5 minutes. listStatus reads names and sizes only. A
   * folder already entered (through a symbolic link) is skipped with the reason.
   */
  private static void addFiles(
      FileSystem fs,
      Path dir,
      List<Path> paths,
      List<ImageDataset.Skipped> ignored,
      VisitedFolders visited)
      throws IOException {
    ignored.addAll(DanglingLinks.in(fs, dir));
    for (FileStatus status : fs.listStatus(dir)) {
      if (status.isDirectory()) {
        if (visited.enter(status.getPath())) {
          addFiles(fs, status.getPath(), paths, ignored, visited);
        } else {
          ignored.add(alreadyRead(visited, status.getPath()));
        }
      } else {
        paths.add(status.getPath());
      }
    }
  }

  /**
   * Folders named ".x" or "_x" are classes when they hold images, as in torchvision's ImageFolder
   * (which takes every sub-folder); without images they are tools' leftovers ({@code
   * .ipynb_checkpoints}, Spark's {@code _temporary}), which torchvision would refuse as empty
   * classes.
   */
  private static boolean isHidden(String name) {
    return name.startsWith(".") || name.startsWith("_");
  }

  private static ImageDataset.Skipped hiddenWithoutImages(Path dir) {
    LOG.warn("Not a class: {} starts with '.' or '_' and holds no image files", dir);
    return new ImageDataset.Skipped(
        dir.toString(),
        "ignored: folder starts with '.' or '_' and holds no image files, so it is no class (a"
            + " tool's leftover such as .ipynb_checkpoints); add images to make it one");
  }

  /** Why a folder reached a second time (a link loop, or two links to one folder) is not read. */
  private static ImageDataset.Skipped alreadyRead(VisitedFolders visited, Path dir)
      throws IOException {
    String real = visited.realPath(dir);
    LOG.warn("Not following {}: it leads to {}, which is read already", dir, real);
    return new ImageDataset.Skipped(
        dir.toString(),
        "ignored: leads to folder "
            + real
            + ", which is read already (a symbolic link loop or a second link to one folder);"
            + " its images are read once; remove the link if it should not be there");
  }

  /**
   * The shape of the first file that decodes (read on the driver: one image, usually the first
   * file).
   */
  private static ImageShape firstImageShape(
      SerializableConfiguration conf, List<ImageFile> files, long maxPixels) throws IOException {
    for (ImageFile f : files) {
      var image =
          ImageDecoding.decode(
              ImageDecoding.readFile(conf.value(), f.path()), new String[1], maxPixels);
      if (image != null) {
        return Pixels.nativeShape(image);
      }
    }
    throw new InputException(
        "none of the "
            + files.size()
            + " image files decodes as an image; check that the"
            + " folder holds PNG or JPEG files");
  }

  private static ImageDataset decodeAll(
      SparkSession spark,
      SerializableConfiguration conf,
      Path root,
      List<ImageFile> files,
      List<String> classNames,
      ImageShape shape,
      long maxPixels,
      List<ImageDataset.Skipped> ignored) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int numSlices =
        Math.max(
            1,
            Math.min(
                files.size(),
                Math.max(
                    jsc.defaultParallelism(),
                    (files.size() + FILES_PER_SLICE - 1) / FILES_PER_SLICE)));
    // Row: the five ImageRows columns, then the reason the file was skipped (null when it decoded).
    JavaRDD<Row> decoded =
        jsc.parallelize(files, numSlices)
            .map(
                f -> {
                  ImageDecoding.Result r =
                      ImageDecoding.toShape(
                          ImageDecoding.readFile(conf.value(), f.path()), shape, maxPixels);
                  return RowFactory.create(
                      f.id(), f.label(), f.className(), f.path(), r.pixels(), r.problem());
                })
            .persist(StorageLevel.MEMORY_AND_DISK());
    decoded.setName("decoded images of " + classNames.size() + " classes from " + root);

    List<ImageDataset.Skipped> skipped = new ArrayList<>(ignored);
    skipped.addAll(
        decoded
            .filter(r -> !r.isNullAt(5))
            .map(r -> new ImageDataset.Skipped(r.getString(3), r.getString(5)))
            .collect());
    Map<Integer, Long> perClass =
        decoded.filter(r -> r.isNullAt(5)).map(r -> r.getInt(1)).countByValue();
    List<String> lost = new ArrayList<>();
    for (int label = 0; label < classNames.size(); label++) {
      if (perClass.getOrDefault(label, 0L) == 0L) {
        lost.add(new Path(root, classNames.get(label)).toString());
      }
    }
    if (!lost.isEmpty()) {
      decoded.unpersist(false);
      throw new InputException(
          "no image in class folder "
              + String.join(", ", lost)
              + " could be decoded ("
              + skipped.size()
              + " files skipped, see the list); replace the broken files or remove the folder");
    }
    JavaRDD<Row> rows =
        decoded
            .filter(r -> r.isNullAt(5))
            .map(
                r ->
                    RowFactory.create(
                        r.getLong(0), r.getInt(1), r.getString(2), r.getString(3), r.get(4)));
    return new ImageDataset(
        spark.createDataFrame(rows, ImageRows.SCHEMA),
        shape,
        classNames,
        List.copyOf(skipped),
        "folder");
  }

  /** One file to decode, with the id and label it will carry. */
  private record ImageFile(long id, int label, String className, String path)
      implements Serializable {}
}
