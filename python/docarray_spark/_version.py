"""The package's version; the connector jars it carries are built from the same commit."""

__version__ = "0.1.0"
#: The Maven version of the connector jars this package carries (``docarray-spark-<line>_<scala>-<v>.jar``).
JAR_VERSION = "0.1.0-SNAPSHOT"
