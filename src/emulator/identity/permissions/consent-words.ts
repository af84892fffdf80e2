/**
 * consentWords: the words of Entra's admin-consent experience in English and French — the administrator's checkbox on
 * the consent page and the "Need admin approval" page (AADSTS90094). The permissions' own texts are Microsoft's, in
 * the catalogue.
 */
import type { ConsentLang } from './catalogue.ts'

export interface ConsentWords {
  /** The administrator's checkbox on the consent page. */
  organization: string
  /** Under a permission only an administrator may grant. */
  adminOnly: string
  approvalTitle: string
  /** `{app}` is the application's name. */
  approvalText: string
  approvalSignIn: string
  approvalReturn: string
}

// French typography: a narrow no-break space (U+202F) before "?".
export const consentWords: Record<ConsentLang, ConsentWords> = {
  en: {
    organization: 'Consent on behalf of your organization',
    adminOnly: 'Admin consent required',
    approvalTitle: 'Need admin approval',
    approvalText:
      '{app} needs permission to access resources in your organization that only an admin can grant. Please ask an admin to grant permission to this app before you can use it.',
    approvalSignIn: 'Have an admin account? Sign in with that account',
    approvalReturn: 'Return to the application without granting consent',
  },
  fr: {
    organization: 'Consentement au nom de votre organisation',
    adminOnly: 'Consentement administrateur requis',
    approvalTitle: 'Approbation de l’administrateur nécessaire',
    approvalText:
      '{app} a besoin d’une autorisation d’accès aux ressources de votre organisation que seul un administrateur peut accorder. Demandez à un administrateur d’accorder l’autorisation à cette application avant de pouvoir l’utiliser.',
    approvalSignIn: 'Vous avez un compte administrateur\u202f? Connectez-vous avec ce compte',
    approvalReturn: 'Revenir à l’application sans accorder de consentement',
  },
}
