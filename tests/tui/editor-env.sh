#!/bin/sh
# A stand-in for $EDITOR that reports what it inherited into the text it
# edits: whether a credential is in its environment, and its open
# descriptors (ls opens the folder itself: 0, 1, 2 and that one).
if env | grep -Eq '^ANTHROPIC_(API_KEY|AUTH_TOKEN)='; then key="in the environment"; else key="not in the environment"; fi
fds=$(ls /proc/self/fd | sort -n | tr '\n' ' ')
printf 'credentials: %s\nfds: %s\n' "$key" "$fds" >>"$1"
