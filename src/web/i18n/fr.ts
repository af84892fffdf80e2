/** Textes français de l’interface : mêmes clés que `en.ts`. */
import type { MessageKey } from './en.ts'

export const fr: Record<MessageKey, string> = {
  'lang.name': 'Français',
  'lang.switch': 'Langue',
  'app.title': 'Exemple Microsoft Graph Connect',
  'app.skip': 'Aller au contenu',
  'nav.disconnect': 'Se déconnecter',
  'nav.flow': 'Flux de connexion',
  'nav.home': 'Accueil',

  'connect.lead': 'Utilisez le bouton ci-dessous pour vous connecter à Microsoft 365.',
  'connect.button': 'Se connecter à Microsoft 365',
  'connect.demo':
    'Démonstration hors ligne : vous vous connectez à l’émulateur intégré avec un compte de démonstration (le terminal où tourne l’application les liste), et les messages arrivent dans sa boîte de réception. Rien ne part chez Microsoft.',
  'connect.note':
    'Vous vous connectez sur la page de connexion Microsoft. Cette application ne voit jamais votre mot de passe.',
  'connect.draftKept':
    'Votre message non envoyé est conservé dans cet onglet : reconnectez-vous pour le terminer.',
  'connect.signedOut': 'Vous êtes déconnecté. Reconnectez-vous quand vous voulez.',

  'main.hi': 'Bonjour {name} !',
  'main.lead':
    'Vous êtes maintenant connecté à Microsoft 365. Cliquez sur le bouton ci-dessous pour envoyer un message depuis votre compte avec l’API Microsoft Graph.',
  'main.photo': 'Photo de profil de {name}',
  'main.signedInAs': 'Connecté en tant que {address}',

  'form.legend': 'Nouveau message',
  'form.to': 'À',
  'form.cc': 'Cc',
  'form.bcc': 'Cci',
  'form.recipientsHint': 'Séparez plusieurs adresses par des virgules ou des points-virgules.',
  'form.subject': 'Objet',
  'form.body': 'Message',
  'form.preview': 'Aperçu',
  'form.previewTitle': 'Le message tel qu’il sera lu (les images distantes ne sont pas chargées)',
  'form.format': 'Format',
  'form.format.html': 'HTML',
  'form.format.text': 'Texte brut',
  'form.importance': 'Importance',
  'form.importance.low': 'Faible',
  'form.importance.normal': 'Normale',
  'form.importance.high': 'Haute',
  'form.attachments': 'Pièces jointes',
  'form.attachmentsHint':
    'Jusqu’à 25 Mo en tout : jusqu’à 3 Mo, les fichiers partent avec le message ; au-delà, ils sont téléversés par morceaux.',
  'form.attachmentsHintSmall': 'Jusqu’à 3 Mo en tout.',
  'form.saveToSentItems': 'Enregistrer dans Éléments envoyés',
  'form.send': 'Envoyer le message',
  'form.sending': 'Envoi…',
  'form.draftRestored':
    'Votre message non envoyé a été rétabli. Les pièces jointes sont à choisir de nouveau.',
  'form.more': 'Cc, Cci et options',

  'flash.sent': 'Un message a bien été envoyé à {addresses} !',
  'flash.sentConfirmed':
    'Confirmé dans les Éléments envoyés après la perte de la réponse de Graph.',
  'flash.failed': 'Le message n’a pas été envoyé.',
  'flash.unknown': 'Nous n’avons pas pu confirmer l’envoi du message.',
  'flash.fieldErrors': 'Corrigez les champs signalés ci-dessous, puis renvoyez.',
  'flash.reattach':
    'Les pièces jointes ne sont pas conservées après un échec : choisissez-les à nouveau.',

  'error.title': 'Un problème est survenu',
  'error.home': 'Retour à l’application',
  'error.tryAgain': 'Réessayer',
  'error.otherAccount': 'Utiliser un autre compte',
  'error.signInAgain': 'Se reconnecter',
  'error.reference': 'Référence : {id}',
  'error.detail': 'Détails du fournisseur d’identité : {detail}',

  'error.notFound.title': 'Page introuvable',
  'error.notFound.text':
    'Il n’y a pas de page à cette adresse. Vérifiez le lien ou revenez à l’application.',
  'error.generic.title': 'Un problème est survenu de notre côté',
  'error.generic.text':
    'L’application a rencontré un problème inattendu. Réessayez ; si cela se reproduit, donnez la référence ci-dessous à votre administrateur.',
  'error.store.title': 'L’application est momentanément indisponible',
  'error.store.text':
    'L’application ne joint pas son stockage de sessions pour l’instant. Patientez quelques secondes et réessayez.',
  'error.state.title': 'Ce lien de connexion n’est plus valide',
  'error.state.text':
    'La réponse de connexion ne correspond à aucune connexion commencée dans ce navigateur, ou elle a déjà servi. Recommencez la connexion depuis ce navigateur.',
  'error.cancelled.title': 'Connexion annulée',
  'error.cancelled.text':
    'Vous avez annulé la connexion ou refusé les autorisations demandées. Rien n’a été modifié. Vous pouvez réessayer quand vous le souhaitez.',
  'error.consent.title': 'Un consentement est nécessaire',
  'error.consent.text':
    'Cette application a besoin de votre consentement (ou de celui d’un administrateur) pour lire votre profil et envoyer des messages en votre nom. Réessayez et acceptez les autorisations, ou demandez à un administrateur d’accorder le consentement pour votre organisation.',
  'error.redirectUri.title': 'L’URL de réponse n’est pas inscrite',
  'error.redirectUri.text':
    'Le fournisseur d’identité a refusé l’URL de réponse (AADSTS50011). Dans le centre d’administration Entra, ouvrez l’inscription de l’application, Authentification, plateforme Web, et ajoutez exactement cet URI de redirection : {uri}',
  'error.unknownApp.title': 'L’application n’est pas inscrite dans cet annuaire',
  'error.unknownApp.text':
    'Le fournisseur d’identité ne connaît pas cet identifiant client (AADSTS700016). Comparez CLIENT_ID avec « ID d’application (client) » de l’inscription, et vérifiez qu’AUTHORITY désigne le bon locataire.',
  'error.badSecret.title': 'Les identifiants de l’application ont été refusés',
  'error.badSecret.text':
    'Le fournisseur d’identité a refusé le secret client ou le certificat (par exemple AADSTS7000215 : secret invalide, ou expiré). Créez un nouveau secret client dans l’inscription de l’application, renseignez CLIENT_SECRET et redémarrez l’application.',
  'error.idp.title': 'La connexion n’a pas abouti',
  'error.idp.text':
    'Le fournisseur d’identité a refusé la connexion ({code}). Réessayez ; si cela se reproduit, donnez les détails ci-dessous à votre administrateur.',
  'error.idToken.title': 'La réponse de connexion n’est pas fiable',
  'error.idToken.text':
    'Le jeton d’identité n’a pas passé la validation : vous n’êtes pas connecté. Recommencez la connexion.',
  'error.code.title': 'Le code de connexion a été refusé',
  'error.code.text': 'Le code de connexion a expiré ou a déjà servi. Recommencez la connexion.',
  'error.authUnavailable.title': 'La connexion Microsoft est indisponible',
  'error.authUnavailable.text':
    'Le fournisseur d’identité ne répond pas pour l’instant. Vous restez connecté ; réessayez dans une minute.',
  'error.metadata.title': 'Le fournisseur d’identité est injoignable',
  'error.metadata.text':
    'L’application n’a pas pu charger la configuration du fournisseur d’identité. Vérifiez AUTHORITY et le réseau, puis réessayez.',
  'error.reauth.title': 'Reconnectez-vous',
  'error.reauth.text':
    'Votre connexion a expiré et n’a pas pu être renouvelée. Reconnectez-vous pour continuer ; ce que vous avez saisi est conservé.',
  'error.forbidden.text':
    'Microsoft Graph a refusé d’envoyer des messages pour ce compte (403) : l’autorisation Mail.Send (et Mail.ReadWrite, pour les pièces jointes de plus de 3 Mo) n’est pas accordée, ou la boîte aux lettres ne peut pas envoyer. Demandez à un administrateur de l’accorder, puis reconnectez-vous.',
  'error.throttled.text':
    'Microsoft Graph limite les requêtes (429). Réessayez dans {seconds} secondes.',
  'error.invalidRecipients.text':
    'Microsoft Graph a refusé au moins un destinataire. Vérifiez les adresses et renvoyez.',
  'error.tooLarge.text':
    'Le message est trop volumineux. Retirez ou réduisez des pièces jointes et renvoyez.',
  'error.outcomeUnknown.text':
    'La connexion à Microsoft Graph a échoué pendant l’envoi : le message est peut-être parti, peut-être pas. Vérifiez vos Éléments envoyés avant de renvoyer.',
  'error.graphUnavailable.text':
    'Microsoft Graph est indisponible pour l’instant. Rien n’a été envoyé ; réessayez dans une minute.',
  'error.graphRequest.text': 'Microsoft Graph a refusé la requête ({code}). Rien n’a été envoyé.',
  'error.graphRequestId': 'request-id Graph : {id}',
  'error.csrf.title': 'Ce formulaire a expiré',
  'error.csrf.text':
    'La requête ne vient pas d’une page de cette application, ou la page est trop ancienne. Rechargez la page et réessayez.',
  'error.rateLimited.title': 'Trop de requêtes',
  'error.rateLimited.text':
    'Vous avez fait trop de requêtes en peu de temps. Réessayez dans {seconds} secondes.',
  'error.tooLargeRequest.title': 'La requête est trop volumineuse',
  'error.tooLargeRequest.text':
    'Ce que vous avez envoyé dépasse ce que l’application accepte. Retirez ou réduisez des pièces jointes et réessayez.',
  'error.badRequest.title': 'La requête est illisible',
  'error.badRequest.text':
    'Le navigateur a envoyé quelque chose que l’application ne comprend pas. Rechargez la page et réessayez.',
  'error.method.title': 'Action non autorisée',
  'error.method.text':
    'Cette adresse n’accepte pas ce type de requête. Utilisez les boutons de l’application.',
  'error.signedOut.text': 'Votre session est terminée. Reconnectez-vous pour envoyer un message.',

  'field.required': 'Indiquez au moins un destinataire.',
  'field.lineBreak': 'Les retours à la ligne et caractères de contrôle ne sont pas autorisés ici.',
  'field.invalidAddress': '« {value} » n’est pas une adresse e-mail valide.',
  'field.tooManyAttachments': 'Joignez au plus {limit} fichiers.',
  'field.tooManyRecipients': 'Envoyez à {limit} destinataires au plus en tout.',
  'field.subjectTooLong': 'L’objet doit faire moins de {limit} caractères.',
  'field.bodyTooLarge': 'Le message dépasse 1 Mo.',
  'field.attachmentsTooLarge': 'Les pièces jointes dépassent 25 Mo en tout.',
  'field.needsMailReadWrite':
    'Cette application envoie jusqu’à 3 Mo de pièces jointes en tout : joignez des fichiers plus petits, ou envoyez-les en plusieurs messages.',
  'field.formatChoice': 'Choisissez HTML ou Texte brut.',
  'field.importanceChoice': 'Choisissez une importance faible, normale ou haute.',
  'field.invalidChoice': 'Cette valeur n’est pas autorisée.',

  'welcome.subject': 'Bienvenue dans le développement Microsoft Graph avec l’exemple Graph Connect',
  'welcome.greeting': 'Bonjour,',
  'welcome.intro':
    '{name} vous envoie ce message avec l’exemple Microsoft Graph Connect : les services Microsoft 365, à un appel de n’importe quelle application.',
  'welcome.next': 'Et maintenant ?',
  'welcome.link.overview': 'Lire la présentation de Microsoft Graph',
  'welcome.link.sendMail': 'Consulter la référence de l’API sendMail',
  'welcome.link.explorer': 'Essayer des requêtes dans Graph Explorer',
  'welcome.feedback': 'Donnez-nous votre avis',
  'welcome.feedbackText':
    'Dites-nous ce que vous pensez de cet exemple et ce que vous aimeriez qu’il fasse ensuite.',
  'welcome.closing': 'Merci et bon développement !',
  'welcome.signature': 'L’exemple Graph Connect',
  'welcome.colon': ' :',

  'flow.title': 'Flux de connexion',
  'flow.lead':
    'Les cinq étapes de cette session, telles qu’elles se sont déroulées. Secrets et jetons sont masqués.',
  'flow.empty': 'Rien n’a encore été enregistré pour cette session.',
  'flow.step1': '1. Redirection vers la page de connexion (requête authorize)',
  'flow.step2': '2. L’URL de réponse reçoit le code d’autorisation',
  'flow.step3': '3. Requête de jeton (échange du code)',
  'flow.step4': '4. Réponse du point de terminaison de jeton',
  'flow.step5': '5. Appels Microsoft Graph',
  'flow.params': 'Paramètres',
  'flow.claims': 'Revendications décodées',
  'flow.request': 'Requête',
  'flow.response': 'Réponse',
  'flow.status': 'Statut',
  'flow.duration': 'Durée',
  'flow.requestId': 'request-id',
  'flow.noCalls': 'Aucun appel Graph pour l’instant.',
  'flow.notRecorded': 'Non enregistré.',
}
