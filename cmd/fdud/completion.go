package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/fdud/fdud/internal/cluster"
)

// Completion scripts. urfave/cli answers --generate-bash-completion on the
// app's Writer: stdout, as for --help (asked for, so not a stage's document).
const bashCompletion = `# fdud bash completion: source <(fdud completion bash)
_fdud_complete() {
  local cur opts
  COMPREPLY=()
  cur="${COMP_WORDS[COMP_CWORD]}"
  if [[ "$cur" == "-"* ]]; then
    opts=$("${COMP_WORDS[@]:0:$COMP_CWORD}" "$cur" --generate-bash-completion 2>/dev/null)
  else
    opts=$("${COMP_WORDS[@]:0:$COMP_CWORD}" --generate-bash-completion 2>/dev/null)
  fi
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  return 0
}
complete -o bashdefault -o default -F _fdud_complete fdud
`

const zshCompletion = `#compdef fdud
# fdud zsh completion: source <(fdud completion zsh)
_fdud() {
  local -a opts
  local cur=${words[-1]}
  if [[ "$cur" == "-"* ]]; then
    opts=("${(@f)$(${words[@]:0:#words[@]-1} "$cur" --generate-bash-completion 2>/dev/null)}")
  else
    opts=("${(@f)$(${words[@]:0:#words[@]-1} --generate-bash-completion 2>/dev/null)}")
  fi
  if [[ "${opts[1]}" != "" ]]; then
    _describe 'values' opts
  else
    _files
  fi
}
compdef _fdud fdud
`

func newCompletionCommand(s streams) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script (bash or zsh)",
		ArgsUsage: "bash|zsh",
		Description: `Prints a script that completes fdud's commands and flags. Load it with:

   source <(fdud completion bash)       # in ~/.bashrc
   source <(fdud completion zsh)        # in ~/.zshrc`,
		Action: func(c *cli.Context) error {
			switch shell := c.Args().First(); shell {
			case "bash":
				_, err := fmt.Fprint(s.out, bashCompletion)
				return err
			case "zsh":
				_, err := fmt.Fprint(s.out, zshCompletion)
				return err
			default:
				return cluster.Invalidf("completion: want bash or zsh, got %q", shell)
			}
		},
	}
}
