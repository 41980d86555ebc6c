package ember.kernel.transport;

import ember.journal.SyscallType;
import ember.kernel.core.Command;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelDirectory;
import ember.kernel.core.KernelOpenException;

import org.agrona.IoUtil;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The core-thread side of Ember's local IPC, split by concern as Aeron's driver is: the
 * {@link ChannelAcceptor} (its own thread) makes the channels; this conductor attaches them
 * (journaled as {@code clientAttach}, naming the OS account), decides which channel is looked at
 * when, and detaches them; the {@link RequestAdapter} hands each request to the core directly;
 * the {@link ReplyProxy} writes answers and handler calls back.
 * <p>
 * Runs on the core's thread (composed with it in one {@link org.agrona.concurrent.AgentRunner}),
 * so command completions, which the core reports on its thread, are written without locks, and
 * nothing here ever offers into the core's inbox ({@link Kernel#serveOnCoreThread}): attaching,
 * serving and detaching cannot wait on the queue this thread drains.
 * <p>
 * A channel that sends garbage, whose connection ends, or that does not read its replies is
 * detached; other clients are not affected. A client that reads its replies slowly is
 * back-pressured (its requests wait in its ring); one that reads none for
 * {@link #REPLY_STALL_TIMEOUT_MS} while requests wait is detached. The only memory this thread
 * shares with a client process is the shared-memory channel of a client of the kernel's own account.
 * <p>
 * Time: every deadline here (the sweep, the stall timeout) is on the kernel's configured clock, as
 * the core cached it for the duty cycle ({@link Kernel#dutyCycleTimeMs}). The one exception is the beacon's heartbeat, which other processes
 * compare with their own wall clock: it is written from {@link IpcLayout#HEARTBEAT_CLOCK}.
 */
public final class IpcServer implements Agent
{
    /** Default cap of attached clients per OS account. */
    public static final int DEFAULT_MAX_CLIENTS_PER_ACCOUNT = 64;
    /** Default cap of attached clients in all. */
    public static final int DEFAULT_MAX_CLIENTS = 1024;
    /** How long requests of a channel may wait for room in its reply ring before it is detached. */
    public static final long REPLY_STALL_TIMEOUT_MS = 5_000;
    private static final int READ_LIMIT = 64;
    /** How often every socket channel is looked at even if not marked ready: a safety net, not the path. */
    private static final long SWEEP_INTERVAL_MS = 10;

    private final Kernel kernel;
    private final Path kernelDir;
    private final int maxClientsPerAccount;
    private final int maxClients;
    private final List<IpcChannel> channels = new ArrayList<>();
    private final Int2ObjectHashMap<IpcChannel> bySession = new Int2ObjectHashMap<>();
    private final List<IpcChannel> detaching = new ArrayList<>();
    /** Channels whose clientAttach command the core has not answered yet. */
    private final Map<Command, IpcChannel> pendingAttach = new HashMap<>();
    private final ReplyProxy replies = new ReplyProxy(this::startDetach);
    private final RequestAdapter requests;
    private final Consumer<Command> onAttached = this::onAttached;
    private final Consumer<Command> onDetached = command -> { };
    private ChannelAcceptor acceptor;
    private MappedByteBuffer beaconMapping;
    private UnsafeBuffer beacon;
    private static final long HEARTBEAT_INTERVAL_NS = IpcLayout.HEARTBEAT_INTERVAL_MS * 1_000_000;
    /** When the next heartbeat is due, on the core's monotonic reading ({@link Kernel#dutyCycleMonotonicNs}). */
    private long nextHeartbeatNs;
    private long nextSweepMs;
    private long nowMs;

    /** A server with the default caps. */
    public IpcServer(final Kernel kernel, final Path kernelDir)
    {
        this(kernel, kernelDir, DEFAULT_MAX_CLIENTS_PER_ACCOUNT, DEFAULT_MAX_CLIENTS);
    }

    /**
     * @param kernel               the kernel to hand commands to (its core runs on this agent's thread).
     * @param kernelDir            the kernel directory.
     * @param maxClientsPerAccount clients one OS account may have attached (or handshaking) at once.
     * @param maxClients           clients in all.
     */
    public IpcServer(final Kernel kernel, final Path kernelDir, final int maxClientsPerAccount, final int maxClients)
    {
        if (maxClientsPerAccount < 1 || maxClients < 1)
        {
            throw new IllegalArgumentException("client caps must be at least 1");
        }
        this.kernel = kernel;
        this.kernelDir = kernelDir;
        this.maxClientsPerAccount = maxClientsPerAccount;
        this.maxClients = maxClients;
        this.requests = new RequestAdapter(kernel, replies, this::startDetach, bySession);
        listen();
    }

    /**
     * On the opening thread, before the core starts: clients may connect as soon as the kernel is
     * open, and a directory the service cannot use fails the open with one clear line.
     *
     * @throws KernelOpenException when the IPC folder or socket cannot be made.
     */
    private void listen()
    {
        try
        {
            KernelDirectory.ensureDirectory(IpcLayout.ipcDir(kernelDir), KernelDirectory.TRAVERSE_DIR);
            final Path channelsDir = IpcLayout.channelsDir(kernelDir);
            KernelDirectory.ensurePrivateDirectory(channelsDir);
            // Channels of an earlier run are stale (we hold the kernel lock): their clients must re-attach.
            try (DirectoryStream<Path> stale = Files.newDirectoryStream(channelsDir))
            {
                for (final Path path : stale)
                {
                    Files.deleteIfExists(path);
                }
            }
            final Path file = IpcLayout.serviceFile(kernelDir);
            Files.deleteIfExists(file);
            beaconMapping = IoUtil.mapNewFile(file.toFile(), IpcLayout.SERVICE_FILE_LENGTH, false);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
            beacon = new UnsafeBuffer(beaconMapping);
            beacon.putInt(IpcLayout.HEADER_VERSION, IpcLayout.VERSION);
            beacon.putLong(IpcLayout.SERVICE_OS_PID, ProcessHandle.current().pid());
            beacon.putInt(IpcLayout.SERVICE_DOORBELL_USED, kernel.doorbell().used() ? 1 : 0);
            kernel.doorbell().mirrorTo(beacon, IpcLayout.SERVICE_CORE_PARK);
            beacon.putLongVolatile(IpcLayout.SERVICE_HEARTBEAT, IpcLayout.HEARTBEAT_CLOCK.time());
            nextHeartbeatNs = System.nanoTime() + HEARTBEAT_INTERVAL_NS;
            beacon.putIntVolatile(0, IpcLayout.MAGIC);
            final String ownAccount = Files.getOwner(Path.of("/proc/self")).getName();
            final org.agrona.concurrent.EpochNanoClock clock = kernel.config().clock();
            acceptor = new ChannelAcceptor(kernelDir, ownAccount, maxClientsPerAccount, maxClients,
                () -> clock.nanoTime() / 1_000_000, kernel::log, kernel::error, kernel.doorbell()::ring);
        }
        catch (final IOException ex)
        {
            throw new KernelOpenException("cannot start the service on " + kernelDir + ": " + KernelDirectory.describe(ex));
        }
    }

    @Override
    public int doWork()
    {
        int work = 0;
        nowMs = kernel.dutyCycleTimeMs();
        // The beat's cadence from the core's own monotonic read of this cycle (real time whatever
        // the kernel clock, and no clock read of its own); the wall clock only when a beat is due.
        final long monotonicNs = kernel.dutyCycleMonotonicNs();
        if (monotonicNs - nextHeartbeatNs >= 0)
        {
            nextHeartbeatNs = monotonicNs + HEARTBEAT_INTERVAL_NS;
            beacon.putLongOrdered(IpcLayout.SERVICE_HEARTBEAT, IpcLayout.HEARTBEAT_CLOCK.time());
        }
        IpcChannel fresh;
        while ((fresh = acceptor.accepted().poll()) != null)
        {
            attach(fresh);
            work++;
        }
        // Shared-memory channels (the kernel's own account, which writes its rings directly)
        // are looked at on every duty cycle; socket channels only when the acceptor or the core
        // said they have something (ready queue), and all of them once per sweep as a safety net.
        final boolean sweep = nowMs >= nextSweepMs;
        if (sweep)
        {
            nextSweepMs = nowMs + SWEEP_INTERVAL_MS;
        }
        for (int i = 0, n = channels.size(); i < n; i++)
        {
            final IpcChannel channel = channels.get(i);
            if (channel.sharedMemory || sweep)
            {
                work += service(channel);
            }
        }
        final ManyToOneConcurrentArrayQueue<IpcChannel> ready = acceptor.ready();
        for (int i = 0, n = ready.size(); i < n; i++)
        {
            final IpcChannel channel = ready.poll();
            if (channel == null)
            {
                break;
            }
            channel.queued.set(false); // before looking: what arrives from now on queues it again
            work += service(channel);
        }
        if (!detaching.isEmpty())
        {
            finishDetaches();
        }
        if (replies.takeWakeAcceptor())
        {
            acceptor.wakeup();
        }
        return work;
    }

    /** One channel's turn: detach it if its link failed, flush its backlog, read its requests, forward handler calls. */
    private int service(final IpcChannel channel)
    {
        if (channel.detachReason != null)
        {
            return 0; // also what keeps a stale ready-queue entry of a freed channel untouched
        }
        if (channel.linkFailure != null)
        {
            startDetach(channel, channel.linkFailure);
            return 1;
        }
        int work = replies.flushBacklog(channel);
        if (channel.session == null)
        {
            return work; // attach not answered yet: marked ready again when it is
        }
        final int read = requests.poll(channel, READ_LIMIT);
        work += read;
        if (requests.backPressured())
        {
            // Its reply ring is full: its requests wait in its ring. Detached if it never reads again.
            if (channel.stalledSinceMs == 0)
            {
                channel.stalledSinceMs = nowMs;
            }
            else if (nowMs - channel.stalledSinceMs > REPLY_STALL_TIMEOUT_MS)
            {
                startDetach(channel, "client does not read its replies");
            }
            acceptor.markReady(channel); // next duty cycle
        }
        else
        {
            channel.stalledSinceMs = 0;
            if (read == READ_LIMIT)
            {
                acceptor.markReady(channel); // maybe more behind: next duty cycle
            }
        }
        replies.handlerCalls(channel);
        return work;
    }

    @Override
    public void onClose()
    {
        for (final IpcChannel channel : channels)
        {
            replies.detached(channel, "service stopped");
            channel.closeRequested = true;
        }
        channels.clear();
        if (acceptor != null)
        {
            acceptor.close(); // frees every channel
        }
        if (beacon != null)
        {
            kernel.doorbell().mirrorTo(null, 0); // on the core thread, the bell's only writer: none after this
            beacon.putLongVolatile(IpcLayout.SERVICE_HEARTBEAT, 0);
            IpcLayout.unmap(beaconMapping);
        }
        try
        {
            Files.deleteIfExists(IpcLayout.serviceFile(kernelDir));
        }
        catch (final IOException ignored)
        {
            // best effort
        }
    }

    @Override
    public String roleName()
    {
        return "ember-ipc";
    }

    /** @return the number of attached channels. */
    public int channelCount()
    {
        return channels.size();
    }

    /** Journal the channel's clientAttach, handed to the core directly; answered in {@link #onAttached}. */
    private void attach(final IpcChannel channel)
    {
        channels.add(channel);
        final Command attach = new Command(onAttached);
        attach.record.reset(SyscallType.CLIENT_ATTACH, 0).text = channel.user;
        // The audit trail names the OS account and how it is connected, not only the kernel user.
        attach.record.names = new String[] {channel.account, channel.sharedMemory ? "shared-memory" : "socket"};
        attach.correlationId = 0;
        attach.clientOsPid = channel.clientOsPid;
        pendingAttach.put(attach, channel);
        if (!kernel.serveOnCoreThread(attach))
        {
            pendingAttach.remove(attach);
            startDetach(channel, "service stopped");
        }
    }

    private void onAttached(final Command command)
    {
        final IpcChannel channel = pendingAttach.remove(command);
        if (channel == null)
        {
            return;
        }
        if (command.refusal != null || command.session == null)
        {
            startDetach(channel, "attach refused: " + command.refusal);
            return;
        }
        channel.session = command.session;
        bySession.put(command.session.id(), channel);
        if (!channel.sharedMemory)
        {
            command.session.whenHandlerCallOffered(() -> acceptor.markReady(channel));
            acceptor.markReady(channel); // frames may have arrived before the session existed
        }
        replies.attached(channel);
    }

    private void startDetach(final IpcChannel channel, final String reason)
    {
        if (channel.detachReason == null)
        {
            channel.detachReason = reason;
            detaching.add(channel);
        }
    }

    /**
     * Detach the channels marked for it: journal their clientDetach (handed to the core directly,
     * so this never waits on the core's inbox), say why in their ring, and give them back to the
     * acceptor, which frees them.
     */
    private void finishDetaches()
    {
        final Iterator<IpcChannel> it = detaching.iterator();
        while (it.hasNext())
        {
            final IpcChannel channel = it.next();
            if (channel.session == null && pendingAttach.containsValue(channel))
            {
                continue; // its attach is still in the core: detached once it is answered
            }
            if (channel.session != null)
            {
                final Command detach = new Command(onDetached);
                detach.record.reset(SyscallType.CLIENT_DETACH, 0).arg0 = channel.session.id();
                kernel.serveOnCoreThread(detach); // refused only by a stopped kernel, which detaches everyone
                bySession.remove(channel.session.id());
            }
            it.remove();
            replies.detached(channel, channel.detachReason);
            channels.remove(channel);
            channel.closeRequested = true; // from here on only the acceptor touches it
        }
        acceptor.wakeup();
    }
}
