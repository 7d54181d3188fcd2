package hostlink

// EnvHost names the variable through which the host that launched the
// program (livepatch, whose embedded debugger starts it as a child) gives
// its process id. With it set, the program does not outlive the host: see
// Watch. agent.Start unsets it, so that the program's own children do not
// inherit it.
const EnvHost = "LIVEPATCH_AGENT_HOST"
