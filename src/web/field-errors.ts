/** `fieldErrors`: core's field problems (codes) worded in the user's language, one message per field. */
import type { FieldProblem, MailField } from '../core/index.ts'
import type { Translate } from './i18n/i18n.ts'

/** The first problem of each field, as the plain-text line shown under it (escaped at render). */
export function fieldErrors(
  problems: readonly FieldProblem[],
  t: Translate,
): Partial<Record<MailField, string>> {
  const errors: Partial<Record<MailField, string>> = {}
  for (const problem of problems) errors[problem.field] ??= fieldMessage(problem, t)
  return errors
}

function fieldMessage(problem: FieldProblem, t: Translate): string {
  const limit = problem.limit ?? 0
  switch (problem.reason) {
    case 'required':
      return t('field.required')
    case 'line-break':
      return t('field.lineBreak')
    case 'invalid-address':
      return t('field.invalidAddress', { value: problem.value ?? '' })
    case 'too-many':
      return problem.field === 'attachments'
        ? t('field.tooManyAttachments', { limit })
        : t('field.tooManyRecipients', { limit })
    case 'too-long':
      return t('field.subjectTooLong', { limit })
    case 'too-large':
      return t(problem.field === 'body' ? 'field.bodyTooLarge' : 'field.attachmentsTooLarge')
    case 'needs-mail-readwrite':
      return t('field.needsMailReadWrite')
    case 'invalid-choice':
      return problem.field === 'format'
        ? t('field.formatChoice')
        : problem.field === 'importance'
          ? t('field.importanceChoice')
          : t('field.invalidChoice')
  }
}
