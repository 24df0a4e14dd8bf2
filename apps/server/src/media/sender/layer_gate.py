"""Which simulcast layers the sender encodes at full rate (see LayerGate)."""
import gi

gi.require_version("GLib", "2.0")
from gi.repository import GLib  # noqa: E402

# A simulcast layer no viewer receives is encoded this often (s): enough for mediasoup to keep
# it available (a stream without packets for ~1.5 s is dropped), at a trickle of the CPU.
IDLE_LAYER_GAP_S = 0.5


class LayerGate:
    """Which simulcast layers are encoded at full rate: the top one always, a lower one only
    while a viewer receives it (Node says which, {"cmd":"layers"}). An idle layer's valve (C,
    before its queue) is shut, and opened for OPEN_S every IDLE_LAYER_GAP_S (a frame or two
    pass) and when its encoder is asked for a keyframe (mediasoup asks when it moves a viewer
    to the layer). All of it runs on the main loop: no Python on the streaming threads."""

    OPEN_S = 0.05

    def __init__(self, valves):
        self.valves = valves  # index -> valve element, lower layers only
        self.active = {i: True for i in valves}
        GLib.timeout_add(int(IDLE_LAYER_GAP_S * 1000), self._trickle)

    def set_active(self, indices):
        for i, valve in self.valves.items():
            self.active[i] = i in indices
            valve.set_property("drop", not self.active[i])

    def open_briefly(self, i):
        """Lets frames through for OPEN_S (from any thread)."""
        GLib.idle_add(self._open, i)

    def _open(self, i):
        if i in self.valves and not self.active[i]:
            self.valves[i].set_property("drop", False)
            GLib.timeout_add(int(self.OPEN_S * 1000), self._close, i)
        return False

    def _close(self, i):
        if not self.active[i]:
            self.valves[i].set_property("drop", True)
        return False

    def _trickle(self):
        for i in self.valves:
            self._open(i)
        return True
