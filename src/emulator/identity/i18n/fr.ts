/**
 * Chaînes françaises de l'expérience de connexion (les mots d'Entra en français), en typographie française — une espace
 * fine insécable (U+202F, écrite \u202f) avant les deux-points, le point-virgule, les points d'exclamation et
 * d'interrogation, et à l'intérieur des guillemets.
 */
import type { Strings } from './en.ts'

export const fr: Strings = {
  lang: 'fr',
  otherLanguage: { code: 'en', label: 'English' },
  signIn: 'Se connecter',
  emailLabel: 'E-mail, téléphone ou identifiant Skype',
  emailPlaceholder: 'E-mail, téléphone ou identifiant Skype',
  next: 'Suivant',
  back: 'Retour',
  noAccount:
    "Ce compte n'existe pas dans le locataire de démonstration. Entrez un autre compte ou utilisez un compte de démonstration.",
  enterEmail: 'Entrez une adresse e-mail, un numéro de téléphone ou un nom Skype valide.',
  enterPassword: 'Entrez le mot de passe',
  passwordLabel: 'Mot de passe',
  wrongPassword:
    "Votre compte ou mot de passe est incorrect. Si vous ne vous souvenez plus de votre mot de passe, utilisez l'un des mots de passe de démonstration ci-dessous.",
  emptyPassword: 'Veuillez entrer votre mot de passe.',
  stayTitle: 'Rester connecté\u202f?',
  stayText: 'Faites-le pour réduire le nombre de fois où vous êtes invité à vous connecter.',
  yes: 'Oui',
  no: 'Non',
  consentTitle: 'Autorisations demandées',
  consentAppNote: 'non vérifiée',
  consentIntro: 'Cette application souhaite\u202f:',
  consentFooter:
    "Si vous acceptez ces autorisations, vous autorisez cette application à utiliser vos données comme indiqué dans ses conditions d'utilisation et sa déclaration de confidentialité. Vous pouvez modifier ces autorisations sur https://myapps.microsoft.com.",
  accept: 'Accepter',
  cancel: 'Annuler',
  pickTitle: 'Choisir un compte',
  useAnother: 'Utiliser un autre compte',
  signedInLabel: 'Connecté',
  demoTitle: 'Comptes de démonstration',
  demoIntro:
    "Ceci est l'émulateur hors ligne de Microsoft Entra ID. Connectez-vous avec l'une de ces personnes\u202f:",
  demoPassword: 'mot de passe\u202f:',
  demoUse: 'Utiliser',
  errorTitle: 'Désolé, nous ne parvenons pas à vous connecter.',
  troubleshooting: 'Détails de dépannage',
  requestId: 'ID de demande',
  correlationId: 'ID de corrélation',
  timestamp: 'Horodatage',
  message: 'Message',
  formPostTitle: 'Traitement en cours…',
  formPostContinue: 'Continuer',
  signedOutTitle: 'Vous vous êtes déconnecté de votre compte',
  signedOutText: 'Nous vous conseillons de fermer toutes les fenêtres de navigateur.',
  deviceTitle: 'Entrer le code',
  deviceText: 'Entrez le code affiché sur votre application ou votre appareil.',
  deviceCodeLabel: 'Code',
  deviceBadCode: "Ce code n'a pas fonctionné. Vérifiez le code et réessayez.",
  deviceExpired: 'Ce code a expiré. Revenez à votre appareil et demandez-en un nouveau.',
  deviceConfirmTitle: 'Essayez-vous de vous connecter à {app}\u202f?',
  deviceConfirmText:
    "Continuez uniquement si vous avez téléchargé l'application depuis un store ou un site web de confiance.",
  continue: 'Continuer',
  deviceDoneTitle: '{app}',
  deviceDoneText:
    "Vous êtes connecté à l'application {app} sur votre appareil. Vous pouvez maintenant fermer cette fenêtre.",
  deviceDeclinedText:
    "Vous avez refusé de vous connecter à l'application {app} sur votre appareil. Vous pouvez maintenant fermer cette fenêtre.",
  permissions: {
    openid: 'Vous connecter',
    profile: 'Afficher votre profil de base',
    email: 'Afficher votre adresse e-mail',
    offline_access: 'Conserver l’accès aux données auxquelles vous lui avez donné accès',
    'User.Read': 'Vous connecter et lire votre profil',
    'User.ReadBasic.All': 'Lire les profils de base de tous les utilisateurs',
    'User.Read.All': 'Lire les profils complets de tous les utilisateurs',
    'Mail.Read': 'Lire votre courrier',
    'Mail.ReadWrite': 'Accès en lecture et en écriture à votre courrier',
    'Mail.Send': 'Envoyer du courrier en votre nom',
    'Mail.Send.Shared': 'Envoyer du courrier pour le compte d’autres personnes',
    'MailboxSettings.Read': 'Lire les paramètres de votre boîte aux lettres',
  },
}
