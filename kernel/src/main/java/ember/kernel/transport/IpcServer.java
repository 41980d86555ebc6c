package ember.kernel.transport;

import ember.journal.CorruptRecordException;
import ember.journal.RecordCodec;
import ember.journal.SyscallType;
import ember.kernel.core.Command;
import ember.kernel.core.HandlerCall;
import ember.kernel.core.Kernel;
import ember.kernel.core.KernelDirectory;
import ember.kernel.core.KernelOpenException;
import ember.kernel.core.ProcessQuery;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.IoUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

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

/**
 * The core-thread side of Ember's local IPC: attaches the channels the {@link ChannelAcceptor}
 * made (journaled as {@code clientAttach}, naming the OS account), turns their messages into
 * commands for the core and writes the answers and handler calls back.
 * <p>
 * Runs on the core's thread (composed with it in one {@link org.agrona.concurrent.AgentRunner}),
 * so command completions, which the core reports on its thread, are written here without locks.
 * A channel that sends garbage, whose connection ends, or that does not read its replies is
 * detached; other clients are not affected. The only memory this thread shares with a client
 * process is the shared-memory channel of a client of the kernel's own account.
 */
public final class IpcServer implements Agent
{
    /** Default cap of attached clients per OS account. */
    public static final int DEFAULT_MAX_CLIENTS_PER_ACCOUNT = 64;
    /** Default cap of attached clients in all. */
    public static final int DEFAULT_MAX_CLIENTS = 1024;
    private static final int READ_LIMIT = 64;
    /** How often every socket channel is looked at even if not marked ready: a safety net, not the path. */
    private static final long SWEEP_INTERVAL_MS = 10;

    private final Kernel kernel;
    private final Path kernelDir;
    private final int maxClientsPerAccount;
    private final int maxClients;
    private final List<IpcChannel> channels = new ArrayList<>();
    private final org.agrona.collections.Int2ObjectHashMap<IpcChannel> bySession =
        new org.agrona.collections.Int2ObjectHashMap<>();
    /**
     * Completed request commands, reused for the next requests (core thread only): the hot path
     * allocates no command. It grows to the most requests in flight at once (parked pulls
     * included) and does not shrink.
     */
    private final java.util.ArrayDeque<Command> commandPool = new java.util.ArrayDeque<>();
    private final java.util.function.Consumer<Command> onComplete = this::onComplete;
    private final List<IpcChannel> detaching = new ArrayList<>();
    /** Channels whose clientAttach command the core has not answered yet. */
    private final Map<Command, IpcChannel> pendingAttach = new HashMap<>();
    private final RecordCodec codec = new RecordCodec();
    private final ember.journal.PayloadCodec payloads = new ember.journal.PayloadCodec();
    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(4096);
    private final UnsafeBuffer partView = new UnsafeBuffer(new byte[0]);
    private final UnsafeBuffer frameView = new UnsafeBuffer(new byte[0]);
    private ChannelAcceptor acceptor;
    private MappedByteBuffer beaconMapping;
    private UnsafeBuffer beacon;
    private long nextHeartbeatMs;
    private long nextSweepMs;
    private boolean wakeAcceptor;
    private IpcChannel current;
    private final org.agrona.concurrent.MessageHandler onRequest = this::onRequest;

    /** A server with the default caps. */
    public IpcServer(final Kernel kernel, final Path kernelDir)
    {
        this(kernel, kernelDir, DEFAULT_MAX_CLIENTS_PER_ACCOUNT, DEFAULT_MAX_CLIENTS);
    }

    /**
     * @param kernel               the kernel to submit commands to (its core runs on this agent's thread).
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
            beacon.putLongVolatile(IpcLayout.SERVICE_HEARTBEAT, System.currentTimeMillis());
            beacon.putIntVolatile(0, IpcLayout.MAGIC);
            final String ownAccount = Files.getOwner(Path.of("/proc/self")).getName();
            acceptor = new ChannelAcceptor(kernelDir, ownAccount, maxClientsPerAccount, maxClients, kernel::log, kernel::error);
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
        final long nowMs = System.currentTimeMillis();
        if (nowMs >= nextHeartbeatMs)
        {
            nextHeartbeatMs = nowMs + IpcLayout.HEARTBEAT_INTERVAL_MS;
            beacon.putLongOrdered(IpcLayout.SERVICE_HEARTBEAT, nowMs);
        }
        IpcChannel fresh;
        while (kernel.hasRoom(1) && (fresh = acceptor.accepted().poll()) != null)
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
        final org.agrona.concurrent.ManyToOneConcurrentArrayQueue<IpcChannel> ready = acceptor.ready();
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
        current = null;
        if (!detaching.isEmpty())
        {
            finishDetaches();
        }
        if (wakeAcceptor)
        {
            wakeAcceptor = false;
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
        int work = 0;
        if (!channel.backlog.isEmpty())
        {
            work += channel.flushBacklog(partView);
            wakeAcceptor |= !channel.sharedMemory;
        }
        if (channel.session == null)
        {
            return work; // attach not answered yet: marked ready again when it is
        }
        if (kernel.hasRoom(READ_LIMIT + 1))
        {
            current = channel;
            try
            {
                final int read = channel.requests.read(onRequest, READ_LIMIT);
                work += read;
                if (read == READ_LIMIT)
                {
                    acceptor.markReady(channel); // maybe more behind: next duty cycle
                }
            }
            catch (final RuntimeException ex)
            {
                // A client of the kernel's own account can corrupt its ring's own headers.
                startDetach(channel, "corrupt request ring: " + ex.getMessage());
            }
            current = null;
        }
        else
        {
            acceptor.markReady(channel); // the core's inbox is full: next duty cycle
        }
        forwardHandlerCalls(channel);
        return work;
    }

    @Override
    public void onClose()
    {
        for (final IpcChannel channel : channels)
        {
            writeDetached(channel, "service stopped");
            channel.closeRequested = true;
        }
        channels.clear();
        if (acceptor != null)
        {
            acceptor.close(); // frees every channel
        }
        if (beacon != null)
        {
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

    private void attach(final IpcChannel channel)
    {
        channels.add(channel);
        final Command attach = new Command(this::onAttached);
        attach.record.reset(SyscallType.CLIENT_ATTACH, 0).text = channel.user;
        // The audit trail names the OS account and how it is connected, not only the kernel user.
        attach.record.names = new String[] {channel.account, channel.sharedMemory ? "shared-memory" : "socket"};
        attach.correlationId = 0;
        attach.clientOsPid = channel.clientOsPid;
        pendingAttach.put(attach, channel);
        kernel.submit(attach);
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
        final MutableDirectBuffer out = scratch;
        out.putInt(0, command.session.id());
        final int length = 4 + out.putStringUtf8(4, channel.user);
        send(channel, IpcLayout.MSG_ATTACHED, out, length);
    }

    private void onRequest(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final IpcChannel channel = current;
        if (channel.detachReason != null)
        {
            return;
        }
        if (msgTypeId == IpcLayout.MSG_DETACH)
        {
            startDetach(channel, "client detached");
            return;
        }
        if (msgTypeId == IpcLayout.MSG_QUERY)
        {
            onQuery(channel, buffer, index, length);
            return;
        }
        if (msgTypeId != IpcLayout.MSG_SYSCALL)
        {
            startDetach(channel, "unknown message type " + msgTypeId);
            return;
        }
        final Command command = acquireCommand();
        try
        {
            frameView.wrap(buffer, index, length);
            codec.decode(frameView, 0, length, command.record);
        }
        catch (final CorruptRecordException | IndexOutOfBoundsException ex)
        {
            commandPool.addLast(command); // never submitted: as good as new
            startDetach(channel, "malformed request: " + ex.getMessage());
            return;
        }
        command.correlationId = command.record.index;
        command.session = channel.session;
        command.refusal = checkPayload(command.record); // refusals go through the core too: replies stay in order
        channel.inFlight++;
        kernel.submit(command);
    }

    /**
     * A read-only process query (not journaled): the core answers it as the channel's session,
     * so it is entitled exactly as that client's syscalls are.
     */
    private void onQuery(final IpcChannel channel, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final ProcessQuery query =
            length == IpcLayout.QUERY_LENGTH ? ProcessQuery.of(buffer.getByte(index + 8)) : null;
        if (query == null)
        {
            startDetach(channel, "malformed query");
            return;
        }
        final Command command = acquireCommand();
        command.correlationId = buffer.getLong(index);
        command.record.pid = buffer.getLong(index + 9);
        command.query = query;
        command.session = channel.session;
        channel.inFlight++;
        kernel.submit(command);
    }

    /**
     * A client of another process may send any bytes as a payload: only well-formed payloads of
     * the allowed types reach the journal (and, through events, other clients).
     *
     * @return the refusal, or null when the record may go to the core.
     */
    private String checkPayload(final ember.journal.SyscallRecord record)
    {
        if (!record.type.isClientCall())
        {
            return "not a syscall: " + record.type.syscallName();
        }
        final boolean table = record.type == SyscallType.QUEUE_EVENT;
        if (!table && record.type != SyscallType.SEND_EVENT)
        {
            return record.payload == null ? null : "unexpected payload for " + record.type.syscallName();
        }
        if (record.payload == null)
        {
            return null; // the validator names the missing argument
        }
        if (payloads.isWellFormed(record.payload, table))
        {
            return null; // the hot path: judged by walking the bytes, no value built
        }
        final int arg = table ? 2 : 3;
        try
        {
            final Object value = payloads.decode(record.payload);
            if (table && !(value instanceof java.util.Map))
            {
                return ember.kernel.state.SyscallValidator.notATable(arg, record.type.syscallName(), value);
            }
            return null;
        }
        catch (final ember.journal.PayloadException ex)
        {
            return ember.kernel.state.SyscallValidator.bad(arg, record.type.syscallName(), ex.getMessage());
        }
    }

    /** @return a request command from the pool, or a new one when all are in flight. Core thread. */
    private Command acquireCommand()
    {
        final Command command = commandPool.pollFirst();
        return command != null ? command : new Command(onComplete);
    }

    /** Core thread: the core completed a request; answer it, then the command goes back to the pool. */
    private void onComplete(final Command command)
    {
        final IpcChannel channel = bySession.get(command.session.id());
        if (channel != null)
        {
            channel.inFlight--;
            if (channel.detachReason == null)
            {
                reply(channel, command);
            }
        }
        command.recycle();
        commandPool.addLast(command);
    }

    private void reply(final IpcChannel channel, final Command command)
    {
        forwardHandlerCalls(channel); // handler lines come before the result that caused them
        if (channel.detachReason != null)
        {
            return;
        }
        final int claimed = ReplyCodec.encodedLength(command.result, command.refusal);
        if (claimed <= IpcLayout.MAX_MESSAGE_LENGTH && channel.backlog.isEmpty())
        {
            // The hot path: encoded in place, straight into the reply ring's claimed slot.
            final OneToOneRingBuffer replies = channel.replies;
            final int index = replies.tryClaim(IpcLayout.MSG_RESULT, claimed);
            if (index >= 0)
            {
                try
                {
                    ReplyCodec.encode(replies.buffer(), index, command.correlationId, command.result, command.refusal);
                }
                catch (final RuntimeException ex)
                {
                    replies.abort(index);
                    throw ex;
                }
                replies.commit(index);
                wakeAcceptor |= !channel.sharedMemory;
                return;
            }
        }
        // The ring is full (the reply waits in the backlog, in order) or the reply is too long for one message.
        final int length = ReplyCodec.encode(scratch, 0, command.correlationId, command.result, command.refusal);
        if (length <= IpcLayout.MAX_MESSAGE_LENGTH)
        {
            send(channel, IpcLayout.MSG_RESULT, scratch, length);
            return;
        }
        // Longer than one ring message (getplist or the process table of many processes): sent in pieces, reassembled by the client.
        final int piece = IpcLayout.MAX_MESSAGE_LENGTH - IpcLayout.RESULT_PART_HEADER;
        final ExpandableArrayBuffer part = new ExpandableArrayBuffer(IpcLayout.MAX_MESSAGE_LENGTH);
        for (int offset = 0; offset < length && channel.detachReason == null; offset += piece)
        {
            final int n = Math.min(piece, length - offset);
            part.putLong(0, command.correlationId);
            part.putInt(8, length);
            part.putInt(12, offset);
            part.putBytes(IpcLayout.RESULT_PART_HEADER, scratch, offset, n);
            send(channel, IpcLayout.MSG_RESULT_PART, part, IpcLayout.RESULT_PART_HEADER + n);
        }
    }

    private void send(final IpcChannel channel, final int type, final MutableDirectBuffer buffer, final int length)
    {
        if (!channel.send(type, buffer, 0, length))
        {
            startDetach(channel, "client does not read its replies");
        }
        wakeAcceptor |= !channel.sharedMemory;
    }

    private void forwardHandlerCalls(final IpcChannel channel)
    {
        if (channel.session == null)
        {
            return;
        }
        HandlerCall call;
        while (channel.detachReason == null && (call = channel.session.pollHandlerCall()) != null)
        {
            scratch.putLong(0, call.pid());
            scratch.putLong(8, call.signal());
            send(channel, IpcLayout.MSG_HANDLER, scratch, 16);
        }
    }

    private void startDetach(final IpcChannel channel, final String reason)
    {
        if (channel.detachReason == null)
        {
            channel.detachReason = reason;
            detaching.add(channel);
        }
    }

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
                if (!kernel.hasRoom(1))
                {
                    return; // the core's inbox is full: submitting from its own thread would wait forever
                }
                final Command detach = new Command(c -> { });
                detach.record.reset(SyscallType.CLIENT_DETACH, 0).arg0 = channel.session.id();
                kernel.submit(detach);
                bySession.remove(channel.session.id());
            }
            it.remove();
            writeDetached(channel, channel.detachReason);
            channels.remove(channel);
            channel.closeRequested = true; // from here on only the acceptor touches it
            wakeAcceptor = true;
        }
    }

    private void writeDetached(final IpcChannel channel, final String reason)
    {
        try
        {
            channel.flushBacklog(partView);
            final int length = scratch.putStringUtf8(0, reason);
            channel.replies.write(IpcLayout.MSG_DETACHED, scratch, 0, length);
        }
        catch (final RuntimeException ignored)
        {
            // the ring may be the reason
        }
    }
}
