# Shared by bin/ember, bin/replay-tool and bench/*.sh: builds Ember when needed and sets up the JVM.
# Sourced, not run. Sets EMBER_ROOT, EMBER_JAVA_FLAGS and ember_classpath MODULE.

EMBER_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Chronicle Queue needs these on Java 17+; analytics stay off (no outbound network); Chronicle's own
# disk monitor thread stays off too (it floods stderr with "almost full" errors on a small disk: Ember's
# DiskGuard refuses syscalls on a full disk with one clear line instead).
EMBER_JAVA_FLAGS=(
  -Dchronicle.analytics.disable=true
  -Dchronicle.announcer.disable=true
  -Dchronicle.disk.monitor.disable=true
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn
  -Dorg.slf4j.simpleLogger.logFile=System.err
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-exports=java.base/sun.nio.ch=ALL-UNNAMED
  --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED
)

# Build (quietly: an offline attempt first, silent; then online, its errors to stderr) when a module's classes or libs are missing or older than its sources.
ember_build_if_needed() {
  local stamp="$EMBER_ROOT/replay-tool/target/.ember-built"
  local module missing=""
  for module in journal kernel replay-tool bench sim; do
    if [ ! -d "$EMBER_ROOT/$module/target/classes" ] || { [ "$module" != journal ] && [ ! -d "$EMBER_ROOT/$module/target/lib" ]; }; then
      missing=yes
    fi
  done
  if [ -z "$missing" ] && [ -f "$stamp" ] && [ -z "$(find "$EMBER_ROOT/pom.xml" "$EMBER_ROOT"/*/pom.xml "$EMBER_ROOT"/*/src/main -newer "$stamp" -print -quit 2>/dev/null)" ]; then
    return 0
  fi
  echo "ember: building (first use or sources changed)..." >&2
  if ! (cd "$EMBER_ROOT" && { mvn -B -q -o -DskipTests install >/dev/null 2>&1 || mvn -B -q -DskipTests install >&2; }); then
    echo "ember: build failed; run 'mvn -DskipTests install' in $EMBER_ROOT to see why" >&2
    exit 1
  fi
  touch "$stamp"
}

# ember_classpath MODULE: the module's classes plus its runtime libraries.
ember_classpath() {
  local module="$1"
  echo "$EMBER_ROOT/$module/target/classes:$EMBER_ROOT/$module/target/lib/*"
}
