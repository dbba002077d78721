package org.docarray.spark.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.datasources.v2.BatchScanExec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HDFS in the test JVM (MiniDFSCluster: a name node and two data nodes that report the host names
 * dn1.test and dn2.test, 1 MB blocks): reads and writes on {@code hdfs://}, and input partitions
 * that prefer the hosts holding most of their bytes.
 */
class HdfsTest {
  private static MiniDFSCluster cluster;
  private static SparkSession spark;
  private static String root;
  private static final Set<String> HOSTS = new HashSet<>(Arrays.asList("dn1.test", "dn2.test"));

  @BeforeAll
  static void start() throws Exception {
    Configuration conf = new Configuration();
    File base = Files.createTempDirectory("minidfs").toFile();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.getAbsolutePath());
    conf.setLong("dfs.blocksize", 1 << 20);
    conf.setLong("dfs.namenode.fs-limits.min-block-size", 0);
    conf.setInt("dfs.replication", 1);
    cluster =
        new MiniDFSCluster.Builder(conf)
            .numDataNodes(2)
            .hosts(new String[] {"dn1.test", "dn2.test"})
            .build();
    cluster.waitActive();
    root = "hdfs://127.0.0.1:" + cluster.getNameNodePort();
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("hdfs-test")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            // the data nodes' host names are not this JVM's: do not wait for a local slot
            .config("spark.locality.wait", "0")
            .config("spark.hadoop.dfs.blocksize", String.valueOf(1 << 20))
            .config("spark.hadoop.dfs.replication", "1")
            .getOrCreate();
    FileSystem fs = new Path(root).getFileSystem(spark.sparkContext().hadoopConfiguration());
    fs.copyFromLocalFile(
        new Path(Fixtures.large().toUri()), new Path(root + "/data/large.protobuf"));
    fs.copyFromLocalFile(
        new Path(Fixtures.dir().resolve("students.protobuf.lz4").toUri()),
        new Path(root + "/data/students/students.protobuf.lz4"));
  }

  @AfterAll
  static void stop() {
    if (spark != null) spark.stop();
    if (cluster != null) cluster.shutdown(true);
  }

  @Test
  void readsAndWritesOnHdfs() throws Exception {
    Dataset<Row> local = spark.read().format("docarray").load(Fixtures.large().toString());
    Dataset<Row> remote = spark.read().format("docarray").load(root + "/data/large.protobuf");
    assertEquals(20000L, remote.count());
    assertEquals(
        0L,
        remote.select("id", "text", "label").except(local.select("id", "text", "label")).count());
    Dataset<Row> students = spark.read().format("docarray").load(root + "/data/students");
    assertEquals(
        spark
            .read()
            .format("docarray")
            .load(Fixtures.dir().resolve("students.protobuf.lz4").toString())
            .toJSON()
            .collectAsList(),
        students.toJSON().collectAsList());
    String out = root + "/out/partitioned";
    local
        .limit(2000)
        .write()
        .format("docarray")
        .partitionBy("label")
        .mode(SaveMode.Overwrite)
        .save(out);
    Dataset<Row> back = spark.read().format("docarray").load(out);
    assertEquals(2000L, back.count());
    assertEquals(
        0L, back.select("id", "label").except(local.limit(2000).select("id", "label")).count());
  }

  @Test
  void inputPartitionsPreferTheHostsOfTheirBlocks() throws Exception {
    Path file = new Path(root + "/data/large.protobuf");
    FileSystem fs = file.getFileSystem(spark.sparkContext().hadoopConfiguration());
    FileStatus st = fs.getFileStatus(file);
    BlockLocation[] blocks = fs.getFileBlockLocations(st, 0, st.getLen());
    assertTrue(blocks.length >= 10, "1 MB blocks: " + blocks.length);
    Dataset<Row> df =
        spark.read().format("docarray").option("maxPartitionBytes", "1m").load(file.toString());
    List<InputPartition> partitions = inputPartitions(df);
    assertTrue(partitions.size() >= 10, "partitions: " + partitions.size());
    int matched = 0;
    for (InputPartition p : partitions) {
      String[] preferred = p.preferredLocations();
      assertTrue(preferred.length >= 1, "every partition has a preferred host");
      assertTrue(HOSTS.containsAll(Arrays.asList(preferred)), Arrays.toString(preferred));
      matched++;
    }
    assertEquals(partitions.size(), matched);
    // the first partition starts at the file's first bytes: its first block's host leads
    assertEquals(blocks[0].getHosts()[0], partitions.get(0).preferredLocations()[0]);
    assertEquals(20000L, df.count());
  }

  private static List<InputPartition> inputPartitions(Dataset<Row> df) {
    List<InputPartition> out = new ArrayList<>();
    scala.collection.Iterator<SparkPlan> it =
        df.queryExecution().executedPlan().collectLeaves().iterator();
    while (it.hasNext()) {
      SparkPlan leaf = it.next();
      if (leaf instanceof BatchScanExec) {
        out.addAll(Arrays.asList(((BatchScanExec) leaf).batch().planInputPartitions()));
      }
    }
    return out;
  }
}
