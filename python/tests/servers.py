"""Real servers for the tests, started and stopped by the tests on 127.0.0.1: a Spark Connect server with the
connector jar, a standalone cluster of a master and two workers."""
import contextlib
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

import docarray_spark as ds

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(n: int) -> list:
    """``n`` distinct ports free right now (held together while chosen, so no two are the same)."""
    sockets = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _env():
    import pyspark

    home = os.path.dirname(pyspark.__file__)
    env = dict(os.environ, SPARK_HOME=home, SPARK_LOCAL_IP="127.0.0.1", SPARK_NO_DAEMONIZE="1",
               PYSPARK_PYTHON=sys.executable,
               PYTHONPATH=os.pathsep.join(p for p in [HERE, os.environ.get("PYTHONPATH")] if p))
    return home, env


def _wait_port(port: int, proc: subprocess.Popen, log: str, seconds: float = 120, ready: str = "") -> None:
    """Until the server listens on ``port`` (and its log matches the regex ``ready``, when given: something else may hold the
    port, e.g. the server's own driver if it drew the same port at random)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n" + open(log).read()[-3000:])
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            if not ready or re.search(ready, open(log).read()):
                return
        time.sleep(0.5)
    raise RuntimeError("server did not start:\n" + open(log).read()[-3000:])


def _stop(procs):
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()


@contextlib.contextmanager
def connect_server(extensions: bool = True):
    """A Spark Connect server (local[2]) with the connector jar; yields its ``sc://`` URL."""
    home, env = _env()
    for attempt in range(3):  # a port taken between choosing and binding: start again on others
        # the server's driver and block manager get ports of their own, so that neither can draw the Connect port
        port, driver, blocks = free_ports(3)
        log = tempfile.mktemp(prefix="spark-connect-", suffix=".log")
        cmd = [os.path.join(home, "bin", "spark-submit"), "--class",
               "org.apache.spark.sql.connect.service.SparkConnectServer", "--master", "local[2]", "--jars",
               ds.jar_path(), "--conf", f"spark.connect.grpc.binding.port={port}", "--conf",
               "spark.connect.grpc.binding.address=127.0.0.1", "--conf", f"spark.driver.port={driver}", "--conf",
               f"spark.blockManager.port={blocks}", "--conf", "spark.port.maxRetries=0", "--conf",
               "spark.ui.enabled=false", "--conf", "spark.sql.shuffle.partitions=2"]
        if extensions:
            cmd += ["--conf", f"spark.sql.extensions={ds.EXTENSIONS}"]
        proc = subprocess.Popen(cmd, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT)
        try:
            _wait_port(port, proc, log, ready=rf"SparkConnectService\$?' on port {port}\b")
        except RuntimeError:
            _stop([proc])
            if attempt == 2:
                raise
            continue
        try:
            yield f"sc://127.0.0.1:{port}"
        finally:
            _stop([proc])
        return


@contextlib.contextmanager
def standalone_cluster(workers: int = 2):
    """A standalone master and ``workers`` worker JVMs (one core each); yields the ``spark://`` URL."""
    home, env = _env()
    cls = os.path.join(home, "bin", "spark-class")
    port = free_port()
    logs = tempfile.mkdtemp(prefix="spark-cluster-")
    master_log = os.path.join(logs, "master.log")
    procs = [subprocess.Popen([cls, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(port),
                               "--webui-port", str(free_port())], env=env, stdout=open(master_log, "w"),
                              stderr=subprocess.STDOUT)]
    try:
        _wait_port(port, procs[0], master_log)
        url = f"spark://127.0.0.1:{port}"
        for i in range(workers):
            procs.append(subprocess.Popen(
                [cls, "org.apache.spark.deploy.worker.Worker", url, "--host", "127.0.0.1", "--cores", "1", "--memory",
                 "1g", "--webui-port", str(free_port()), "--work-dir", os.path.join(logs, f"work{i}")], env=env,
                stdout=open(os.path.join(logs, f"worker{i}.log"), "w"), stderr=subprocess.STDOUT))
        yield url
    finally:
        _stop(procs)
