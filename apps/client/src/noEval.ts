// Before anything builds a schema: the player's CSP allows no eval (see noEval in @offload/protocol).
import '@offload/protocol/no-eval';
