package ember.kernel.transport;

import ember.journal.CorruptRecordException;
import ember.journal.RecordCodec;
import ember.journal.SyscallType;
import ember.kernel.core.Command;
import ember.kernel.core.HandlerCall;
import ember.kernel.core.Kernel;
import ember.kernel.state.KernelState;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.IoUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The service side of Ember's local IPC: finds client channel files, trusts each as coming from
 * the OS account that owns it, turns its messages into commands for the core and writes the
 * answers and handler calls back.
 * <p>
 * Runs on the core's thread (composed with it in one {@link org.agrona.concurrent.AgentRunner}),
 * so command completions, which the core reports on its thread, are written here without locks.
 * A channel that sends garbage, stops heart-beating, or does not read its replies is detached;
 * other clients are not affected.
 */
public final class IpcServer implements Agent
{
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final long SCAN_INTERVAL_MS = 5;
    private static final int READ_LIMIT = 64;

    private final Kernel kernel;
    private final Path kernelDir;
    private final Path clientsDir;
    private final int ownUid;
    private final Map<Path, IpcChannel> channels = new HashMap<>();
    private final Map<Integer, IpcChannel> bySession = new HashMap<>();
    private final List<IpcChannel> detaching = new ArrayList<>();
    /** Channels whose clientAttach command the core has not answered yet. */
    private final Map<Command, IpcChannel> pendingAttach = new HashMap<>();
    private final RecordCodec codec = new RecordCodec();
    private final ember.journal.PayloadCodec payloads = new ember.journal.PayloadCodec();
    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(4096);
    private final UnsafeBuffer frameView = new UnsafeBuffer(new byte[0]);
    private MappedByteBuffer beaconMapping;
    private UnsafeBuffer beacon;
    private long nextScanMs;
    private long nextHeartbeatMs;
    private IpcChannel current;
    private final org.agrona.concurrent.MessageHandler onRequest = this::onRequest;

    /**
     * @param kernel    the kernel to submit commands to (its core runs on this agent's thread).
     * @param kernelDir the kernel directory.
     */
    public IpcServer(final Kernel kernel, final Path kernelDir)
    {
        this.kernel = kernel;
        this.kernelDir = kernelDir;
        this.clientsDir = IpcLayout.clientsDir(kernelDir);
        try
        {
            this.ownUid = (Integer)Files.getAttribute(Path.of("/proc/self"), "unix:uid"); // follows the link
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void onStart()
    {
        try
        {
            Files.createDirectories(clientsDir);
            // Any account may create its own channel here; the sticky bit keeps others' files safe.
            Files.setPosixFilePermissions(IpcLayout.ipcDir(kernelDir), PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(clientsDir, PosixFilePermissions.fromString("rwxrwxrwx"));
            new ProcessBuilder("chmod", "+t", clientsDir.toString()).start().waitFor();
            final java.io.File file = IpcLayout.serviceFile(kernelDir).toFile();
            Files.deleteIfExists(file.toPath()); // left by a crashed service: we hold the kernel lock
            beaconMapping = IoUtil.mapNewFile(file, IpcLayout.SERVICE_FILE_LENGTH, false);
            beacon = new UnsafeBuffer(beaconMapping);
            beacon.putInt(IpcLayout.HEADER_VERSION, IpcLayout.VERSION);
            beacon.putLong(IpcLayout.SERVICE_OS_PID, ProcessHandle.current().pid());
            beacon.putLongVolatile(IpcLayout.SERVICE_HEARTBEAT, System.currentTimeMillis());
            beacon.putIntVolatile(0, IpcLayout.MAGIC);
            // Channels left by clients of an earlier run are stale: their clients must re-attach.
            try (DirectoryStream<Path> stale = Files.newDirectoryStream(clientsDir))
            {
                for (final Path path : stale)
                {
                    Files.deleteIfExists(path);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public int doWork()
    {
        int work = 0;
        final long nowMs = System.currentTimeMillis();
        if (nowMs >= nextScanMs)
        {
            nextScanMs = nowMs + SCAN_INTERVAL_MS;
            work += scan(nowMs);
        }
        if (nowMs >= nextHeartbeatMs)
        {
            nextHeartbeatMs = nowMs + IpcLayout.HEARTBEAT_INTERVAL_MS;
            beacon.putLongOrdered(IpcLayout.SERVICE_HEARTBEAT, nowMs);
            checkLiveness(nowMs);
        }
        for (final IpcChannel channel : channels.values())
        {
            if (channel.session != null && channel.detachReason == null && kernel.hasRoom(READ_LIMIT + 1))
            {
                current = channel;
                try
                {
                    work += channel.requests.read(onRequest, READ_LIMIT);
                }
                catch (final RuntimeException ex)
                {
                    // A hostile writer can corrupt the ring's own headers.
                    startDetach(channel, "corrupt request ring: " + ex.getMessage());
                }
                forwardHandlerCalls(channel);
            }
        }
        current = null;
        if (!detaching.isEmpty())
        {
            finishDetaches();
        }
        return work;
    }

    @Override
    public void onClose()
    {
        for (final IpcChannel channel : channels.values())
        {
            writeDetached(channel, "service stopped");
            IpcLayout.unmap(channel.mapped);
        }
        channels.clear();
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

    private int scan(final long nowMs)
    {
        int found = 0;
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(clientsDir, "*" + IpcLayout.CHANNEL_SUFFIX))
        {
            for (final Path path : stream)
            {
                if (!channels.containsKey(path) && kernel.hasRoom(1))
                {
                    found++;
                    accept(path, nowMs);
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // The directory is re-scanned in a few ms.
        }
        return found;
    }

    /** Check a new channel file and, when it is sound, attach its owner as a client. */
    private void accept(final Path path, final long nowMs)
    {
        final String user;
        MappedByteBuffer mapped = null;
        try
        {
            if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) ||
                Files.size(path) != IpcLayout.CHANNEL_FILE_LENGTH)
            {
                reject(path);
                return;
            }
            final Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
            if (permissions.contains(PosixFilePermission.GROUP_WRITE) || permissions.contains(PosixFilePermission.OTHERS_WRITE))
            {
                reject(path); // another account could write into it: not a trustworthy identity
                return;
            }
            final int uid = uidOf(path);
            user = uid == ownUid ? KernelState.ROOT : Files.getOwner(path, LinkOption.NOFOLLOW_LINKS).getName();
            if (!USER.matcher(user).matches())
            {
                reject(path);
                return;
            }
            mapped = IoUtil.mapExistingFile(path.toFile(), "ember channel");
            final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, IpcLayout.HEADER_LENGTH);
            if (header.getIntVolatile(IpcLayout.HEADER_MAGIC) != IpcLayout.MAGIC ||
                header.getInt(IpcLayout.HEADER_VERSION) != IpcLayout.VERSION)
            {
                IpcLayout.unmap(mapped);
                reject(path);
                return;
            }
            final IpcChannel channel = new IpcChannel(path, user, mapped);
            channel.attachedAtMs = nowMs;
            channels.put(path, channel);
            final Command attach = new Command(this::onAttached);
            attach.record.reset(SyscallType.CLIENT_ATTACH, 0).text = user;
            attach.correlationId = 0;
            pendingAttach.put(attach, channel);
            kernel.submit(attach);
        }
        catch (final IOException | RuntimeException ex)
        {
            IpcLayout.unmap(mapped);
            channels.remove(path);
            reject(path);
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
        final MutableDirectBuffer out = scratch;
        out.putInt(0, command.session.id());
        final int length = 4 + out.putStringUtf8(4, channel.user);
        if (!channel.replies.write(IpcLayout.MSG_ATTACHED, out, 0, length))
        {
            startDetach(channel, "reply ring full");
        }
    }

    private void reject(final Path path)
    {
        try
        {
            Files.deleteIfExists(path);
        }
        catch (final IOException ignored)
        {
            // not ours to delete (another account's file in a sticky directory): ignore it
        }
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
        if (msgTypeId != IpcLayout.MSG_SYSCALL)
        {
            startDetach(channel, "unknown message type " + msgTypeId);
            return;
        }
        final Command command = new Command(this::onComplete);
        try
        {
            frameView.wrap(buffer, index, length);
            codec.decode(frameView, 0, length, command.record);
        }
        catch (final CorruptRecordException | IndexOutOfBoundsException ex)
        {
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

    private void onComplete(final Command command)
    {
        final IpcChannel channel = bySession.get(command.session.id());
        if (channel == null)
        {
            return;
        }
        channel.inFlight--;
        if (channel.detachReason == null)
        {
            reply(channel, command);
        }
    }

    private void reply(final IpcChannel channel, final Command command)
    {
        forwardHandlerCalls(channel); // handler lines come before the result that caused them
        final int length = ReplyCodec.encode(scratch, 0, command.correlationId, command.result, command.refusal);
        if (!channel.replies.write(IpcLayout.MSG_RESULT, scratch, 0, length))
        {
            startDetach(channel, "client does not read its replies");
        }
    }

    private void forwardHandlerCalls(final IpcChannel channel)
    {
        if (channel.session == null)
        {
            return;
        }
        HandlerCall call;
        while ((call = channel.session.pollHandlerCall()) != null)
        {
            scratch.putLong(0, call.pid());
            scratch.putLong(8, call.signal());
            if (!channel.replies.write(IpcLayout.MSG_HANDLER, scratch, 0, 16))
            {
                startDetach(channel, "client does not read its replies");
                return;
            }
        }
    }

    private void checkLiveness(final long nowMs)
    {
        for (final IpcChannel channel : channels.values())
        {
            if (channel.detachReason != null || channel.session == null)
            {
                continue;
            }
            final long heartbeat = channel.replies.consumerHeartbeatTime();
            final long last = Math.max(heartbeat, channel.attachedAtMs);
            if (nowMs - last > IpcLayout.CLIENT_TIMEOUT_MS)
            {
                startDetach(channel, "no heartbeat for " + (nowMs - last) + " ms");
            }
            else if (!Files.exists(channel.file, LinkOption.NOFOLLOW_LINKS))
            {
                startDetach(channel, "channel file removed");
            }
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
            it.remove();
            if (channel.session != null)
            {
                final Command detach = new Command(c -> { });
                detach.record.reset(SyscallType.CLIENT_DETACH, 0).arg0 = channel.session.id();
                kernel.submit(detach);
                bySession.remove(channel.session.id());
            }
            writeDetached(channel, channel.detachReason);
            channels.remove(channel.file);
            IpcLayout.unmap(channel.mapped);
            reject(channel.file);
        }
    }

    private void writeDetached(final IpcChannel channel, final String reason)
    {
        try
        {
            final int length = scratch.putStringUtf8(0, reason);
            channel.replies.write(IpcLayout.MSG_DETACHED, scratch, 0, length);
        }
        catch (final RuntimeException ignored)
        {
            // the ring may be the reason
        }
    }

    private static int uidOf(final Path path)
    {
        try
        {
            return (Integer)Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

}
