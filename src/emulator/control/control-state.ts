// One journal and one fault list per emulator, cleared by POST /_emulator/reset.
import type { EmulatorContext } from '../context.ts'
import { createFaults, type Faults } from './faults.ts'
import { createJournal, type Journal } from './journal.ts'

export interface ControlState {
  journal: Journal
  faults: Faults
}
const states = new WeakMap<EmulatorContext, ControlState>()

export function controlState(ctx: EmulatorContext): ControlState {
  let state = states.get(ctx)
  if (!state) {
    const created = { journal: createJournal(), faults: createFaults() }
    ctx.onReset(() => {
      created.journal.clear()
      created.faults.clear()
    })
    states.set(ctx, created)
    state = created
  }
  return state
}
