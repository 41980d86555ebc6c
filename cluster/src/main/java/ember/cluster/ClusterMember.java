package ember.cluster;

import ember.kernel.core.Kernel;
import ember.kernel.core.KernelDirectory;
import ember.kernel.core.KernelOpenException;
import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveTool;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusteredMediaDriver;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.NanosecondClusterClock;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import org.agrona.CloseHelper;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpLock;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One member of a replicated Ember kernel: Aeron's {@link ClusteredMediaDriver} (media driver,
 * archive, consensus module) and a {@link ClusteredServiceContainer} running
 * {@link EmberClusteredService}, in this JVM.
 * <p>
 * Settings for a small machine (2 cores, several members on one host), after Aeron's own test cluster:
 * how agents idle and share threads as {@link ClusterTuning} says (by default shared threading in
 * driver and archive, back-off idle strategies that spin a little, then park briefly), log term 512 KiB, ingress/egress/IPC terms 128 KiB, sparse term files, archive segments
 * 16 MiB. Time: the log's clock is nanoseconds ({@link NanosecondClusterClock}). Failover:
 * leader heartbeat every {@link #HEARTBEAT_INTERVAL_MS} ms, a leader silent for
 * {@link #HEARTBEAT_TIMEOUT_MS} ms is replaced after an election of about
 * {@link #ELECTION_TIMEOUT_MS} ms (canvass) plus up to half that (nomination); at startup a member waits at most
 * {@link #CANVASS_TIMEOUT_MS} ms for all others before electing with a majority.
 * <p>
 * Directories: {@code DIR} holds the Ember journal (and the lock {@code ember.lock}, so no embedded
 * kernel opens it); {@code DIR/cluster/} Aeron's cluster and archive directories (kept across
 * restarts: the log and snapshots); the driver's directory is {@code /dev/shm/ember-<hash of DIR>}
 * (or under DIR where /dev/shm is missing), deleted on start and on shutdown, as Aeron advises.
 */
public final class ClusterMember implements AutoCloseable
{
    static final long HEARTBEAT_INTERVAL_MS = 100;
    static final long HEARTBEAT_TIMEOUT_MS = 1_500;
    /**
     * Aeron's election timeout (its default 1 s): after a leader is lost, the survivors canvass
     * this long before nominating, then wait up to half of it at random, so it is most of a
     * failover after the heartbeat timeout. Loopback or LAN votes take well under a millisecond.
     */
    static final long ELECTION_TIMEOUT_MS = 500;
    static final long CANVASS_TIMEOUT_MS = 5_000;
    static final long SESSION_TIMEOUT_MS = 10_000;

    private final ClusteredMediaDriver driver;
    private final ClusteredServiceContainer container;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final MemberFailure failure;

    private ClusterMember(final ClusteredMediaDriver driver, final ClusteredServiceContainer container,
        final FileChannel lockChannel, final FileLock lock, final MemberFailure failure)
    {
        this.driver = driver;
        this.container = container;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.failure = failure;
    }

    /**
     * @return why this member stopped by itself (its journal could not be written, or Aeron ended it
     *     unexpectedly: then the last error Aeron reported), or null while it runs or when it was asked to
     *     stop. Set before {@code onTerminate} runs. Any thread.
     */
    public String failure()
    {
        return failure.reason();
    }

    /**
     * Start member {@code memberId}.
     *
     * @param dir           the member's kernel directory (created when missing).
     * @param members       every member.
     * @param memberId      this member.
     * @param users         user → secret, for the authenticator.
     * @param fileSyncLevel the archive's {@code file.sync.level}: 0 none, 1 data, 2 data and metadata.
     * @param maxParkedPulls waiting pulls one process may have; must be the same on every member
     *                      (a pull over it is refused before the log's entry is applied).
     * @param onTerminate   run on Aeron's termination, or when the journal cannot be written (the member
     *                      must stop; e.g. its process exits; {@link #failure()} says why, if it failed).
     * @throws IllegalArgumentException with a one-line reason when DIR cannot be used.
     */
    public static ClusterMember launch(final Path dir, final ClusterMembers members, final int memberId,
        final Map<String, String> users, final int fileSyncLevel, final int maxParkedPulls,
        final Runnable onTerminate) throws IOException
    {
        if (memberId < 0 || memberId >= members.size())
        {
            throw new IllegalArgumentException("--member " + memberId + " is not in --cluster (0.." + (members.size() - 1) + ")");
        }
        KernelDirectory.secure(dir); // the same trust rules as a local kernel's directory
        final Path clusterDir = MemberStatus.clusterDir(dir);
        KernelDirectory.ensurePrivateDirectory(clusterDir);
        final FileChannel lockChannel = KernelDirectory.openPrivateFile(dir.resolve(Kernel.LOCK_FILE), StandardOpenOption.WRITE);
        final FileLock lock = lockChannel.tryLock();
        if (lock == null)
        {
            lockChannel.close();
            throw new IllegalArgumentException("kernel directory " + dir + " is in use by another Ember process");
        }
        deleteStaleMarkFiles(clusterDir);
        truncateTornRecordings(clusterDir, memberId);
        AdminAccess.write(clusterDir, members, AdminAccess.token(users));
        final String host = members.host(memberId);
        final String aeronDir = aeronDir(dir);
        final Supplier<IdleStrategy> idle = ClusterTuning::idle;
        final MemberFailure failure = new MemberFailure(memberId, dir, onTerminate);

        final MediaDriver.Context driverCtx = new MediaDriver.Context()
            .aeronDirectoryName(aeronDir)
            .threadingMode(ClusterTuning.DRIVER_THREADING)
            .sharedIdleStrategy(idle.get())
            .sharedNetworkIdleStrategy(idle.get())
            .conductorIdleStrategy(idle.get())
            .senderIdleStrategy(idle.get())
            .receiverIdleStrategy(idle.get())
            .termBufferSparseFile(true)
            .publicationTermBufferLength(128 * 1024)
            .ipcTermBufferLength(128 * 1024)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true);

        final Archive.Context archiveCtx = new Archive.Context()
            .aeronDirectoryName(aeronDir)
            .archiveDir(clusterDir.resolve("archive").toFile())
            .archiveId(memberId)
            .controlChannel(members.archiveControlChannel(memberId))
            .localControlChannel("aeron:ipc?term-length=64k")
            .replicationChannel("aeron:udp?endpoint=" + host + ":0")
            .recordingEventsEnabled(false)
            .threadingMode(ClusterTuning.ARCHIVE_THREADING)
            .idleStrategySupplier(idle)
            .segmentFileLength(16 * 1024 * 1024)
            .fileSyncLevel(fileSyncLevel)
            .catalogFileSyncLevel(fileSyncLevel)
            .deleteArchiveOnStart(false)
            .threadFactory(failure.threadFactory())
            .recorderThreadFactory(failure.threadFactory())
            .replayerThreadFactory(failure.threadFactory());

        final AeronArchive.Context archiveClient = new AeronArchive.Context()
            .lock(NoOpLock.INSTANCE)
            .controlRequestChannel(archiveCtx.localControlChannel())
            .controlRequestStreamId(archiveCtx.localControlStreamId())
            .controlResponseChannel(archiveCtx.localControlChannel())
            .aeronDirectoryName(aeronDir);

        final File aeronClusterDir = clusterDir.resolve("consensus").toFile();
        final ConsensusModule.Context consensusCtx = new ConsensusModule.Context()
            .clusterMemberId(memberId)
            .clusterMembers(members.aeronClusterMembers())
            .clusterDir(aeronClusterDir)
            .aeronDirectoryName(aeronDir)
            .archiveContext(archiveClient.clone())
            .serviceCount(1)
            .ingressChannel("aeron:udp?term-length=128k")
            .logChannel("aeron:udp?term-length=512k")
            .replicationChannel("aeron:udp?endpoint=" + host + ":0")
            .clusterClock(new NanosecondClusterClock())
            .idleStrategySupplier(idle)
            .authenticatorSupplier(() -> new EmberAuthenticator(users))
            .authorisationServiceSupplier(() -> (protocolId, actionId, type, principal) -> AdminAccess.isAdmin(principal))
            .leaderHeartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_INTERVAL_MS))
            .leaderHeartbeatTimeoutNs(TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_TIMEOUT_MS))
            .electionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(ELECTION_TIMEOUT_MS))
            .startupCanvassTimeoutNs(TimeUnit.MILLISECONDS.toNanos(CANVASS_TIMEOUT_MS))
            .sessionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(SESSION_TIMEOUT_MS))
            .terminationHook(onTerminate)
            .threadFactory(failure.threadFactory())
            .errorHandler(failure.errorHandler());

        final ClusteredServiceContainer.Context serviceCtx = new ClusteredServiceContainer.Context()
            .aeronDirectoryName(aeronDir)
            .archiveContext(archiveClient.clone())
            .clusterDir(aeronClusterDir)
            .clusteredService(new EmberClusteredService(dir, new MemberStatus(clusterDir, memberId), maxParkedPulls,
                failure::fail))
            .serviceId(0)
            .idleStrategySupplier(idle)
            .terminationHook(onTerminate)
            .threadFactory(failure.threadFactory())
            .errorHandler(failure.errorHandler());

        ClusteredMediaDriver driver = null;
        try
        {
            driver = ClusteredMediaDriver.launch(driverCtx, archiveCtx, consensusCtx);
            final ClusteredServiceContainer container = ClusteredServiceContainer.launch(serviceCtx);
            return new ClusterMember(driver, container, lockChannel, lock, failure);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(driver);
            lockChannel.close();
            throw ex;
        }
    }

    /**
     * A member killed with {@code kill -9} leaves Aeron's mark files looking active for a while, and
     * Aeron refuses to start over them ({@code active Mark file detected}). We hold DIR's lock, so no
     * other process runs this member: they are stale, delete them (they carry liveness and error logs,
     * not replicated state: the log, snapshots and node state stay).
     */
    private static void deleteStaleMarkFiles(final Path clusterDir) throws IOException
    {
        for (final Path file : new Path[]{
            clusterDir.resolve("consensus").resolve("cluster-mark.dat"),
            clusterDir.resolve("consensus").resolve("cluster-mark-service-0.dat"),
            clusterDir.resolve("archive").resolve("archive-mark.dat")})
        {
            Files.deleteIfExists(file);
        }
    }

    /**
     * A member stopped by a full disk (or killed mid-write) can leave its archive's last log segment
     * ending in a fragment cut at a page boundary, and Aeron then refuses to start ({@code Found
     * potentially incomplete last fragment straddling page boundary}). Aeron's own {@code ArchiveTool
     * verify} truncates such a tail: only this member's copy of the log loses it (it was not
     * completely written, so not acknowledged as appended), and the member fetches it again from the
     * leader as it rejoins. A catalog it cannot verify is left to Aeron, which says why at start.
     */
    private static void truncateTornRecordings(final Path clusterDir, final int memberId)
    {
        final File archiveDir = clusterDir.resolve("archive").toFile();
        if (!new File(archiveDir, "archive.catalog").exists())
        {
            return; // a new member: nothing recorded yet
        }
        try
        {
            ArchiveTool.verify(new PrintStream(OutputStream.nullOutputStream()), archiveDir,
                EnumSet.noneOf(ArchiveTool.VerifyOption.class), null, segment ->
                {
                    System.err.println("ember member " + memberId + ": truncating the torn end of " + segment +
                        " (not completely written; the leader sends it again)");
                    return true;
                });
        }
        catch (final RuntimeException ex)
        {
            System.err.println("ember member " + memberId + ": could not verify the archive in " + archiveDir + ": " + ex);
        }
    }

    /**
     * @return the media driver's directory for DIR: {@code /dev/shm/ember-USER/HASH-OF-DIR} when
     *     there is a /dev/shm, else {@code DIR/cluster/driver}. /dev/shm is shared by every account,
     *     and Aeron deletes and re-creates the driver directory: so the per-account parent must be a
     *     private directory of this account (0700, not a link), made by us. When another account
     *     holds that name, the driver goes under DIR instead (slower, never theirs).
     */
    static String aeronDir(final Path dir) throws IOException
    {
        final Path inDir = MemberStatus.clusterDir(dir).resolve("driver");
        final Path shm = Path.of("/dev/shm");
        if (!Files.isDirectory(shm, LinkOption.NOFOLLOW_LINKS))
        {
            return inDir.toString();
        }
        final Path parent = shm.resolve("ember-" + System.getProperty("user.name"));
        try
        {
            KernelDirectory.ensurePrivateDirectory(parent);
        }
        catch (final KernelOpenException ex)
        {
            System.err.println("ember member: " + parent + " is not this account's private directory (" +
                ex.getMessage() + "); the media driver's files go to " + inDir);
            return inDir.toString();
        }
        return parent.resolve(Integer.toHexString(dir.toRealPath().toString().hashCode())).toString();
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(container, driver);
        try
        {
            lock.release();
            lockChannel.close();
        }
        catch (final IOException ignored)
        {
            // the lock goes with the process anyway
        }
    }
}
